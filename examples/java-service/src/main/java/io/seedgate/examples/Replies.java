package io.seedgate.examples;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** The payloads this service publishes to clients (see {@link GameChannels} for where each goes). */
public final class Replies {

  private Replies() {
  }

  /** {@code {"action":"load","players":[...],"enemys":[],"objects":[],"map":{"data":""}}}. */
  public static JsonObject load(List<PlayerState> players) {
    return new JsonObject()
      .put("action", "load")
      .put("players", players(players))
      .put("enemys", new JsonArray())
      .put("objects", new JsonArray())
      .put("map", new JsonObject().put("data", ""));
  }

  /** {@code {"action":"save","ok":true}}. */
  public static JsonObject saved() {
    return new JsonObject().put("action", "save").put("ok", true);
  }

  /** {@code {"players":[...]}}: joins and moves, on the map channel. */
  public static JsonObject playersUpdate(List<PlayerState> players) {
    return new JsonObject().put("players", players(players));
  }

  /** {@code {"error":"<text>"}}. */
  public static JsonObject error(String text) {
    return new JsonObject().put("error", text);
  }

  private static JsonArray players(List<PlayerState> players) {
    JsonArray array = new JsonArray();
    players.forEach(p -> array.add(p.toJson()));
    return array;
  }
}
