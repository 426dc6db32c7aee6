package io.seedgate.examples;

import io.vertx.core.json.JsonObject;

/**
 * A player as the clients see it: {@code {"id":5,"action":"idle","position":[1.5,2.0]}}.
 *
 * @param id the player id: a {@link Long} when the stored id is a plain integer, else the {@link String}
 * @param action what the player is doing ({@code idle}, {@code move_up}, ...)
 * @param position where it is
 */
public record PlayerState(Object id, String action, Position position) {

  public static final String IDLE = "idle";

  /** The id as clients expect it: a number when {@code raw} is a canonical integer, else the string. */
  public static Object idValue(String raw) {
    try {
      long n = Long.parseLong(raw);
      return Long.toString(n).equals(raw) ? (Object) n : raw;
    } catch (NumberFormatException e) {
      return raw;
    }
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("action", action).put("position", position.toJson());
  }
}
