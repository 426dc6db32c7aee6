package io.seedgate.examples;

import io.vertx.core.json.JsonArray;

/**
 * A position on a map, as Redis GEO stores it: x is the longitude, y the latitude.
 *
 * @param x longitude, degrees
 * @param y latitude, degrees
 */
public record Position(double x, double y) {

  public static final Position ORIGIN = new Position(0, 0);

  /** {@code [x,y]}, the shape the clients read. */
  public JsonArray toJson() {
    return new JsonArray().add(x).add(y);
  }
}
