package io.seedgate.examples;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * One client action as the gateway publishes it on {@code <actionChannelPrefix><model>}:
 * <pre>{"player":"5","map":"1","token":"1A2B...","model":"move","method":"up","action":"move/up",
 *  "data":{"pingTime":0.23},"node":"node-a","session":"node-a-1f","ip":"127.0.0.1","ts":1764134400123}</pre>
 *
 * @param player the player id (JSON string or number)
 * @param map the map id (JSON string or number)
 * @param token the session token, which is also the key of the player's hash
 * @param model the part of {@code action} before the slash
 * @param method the part of {@code action} after the slash
 * @param action {@code <model>/<method>}
 * @param data the client's other fields; empty when absent
 * @param node the gateway node that received the action, or {@code null}
 * @param session the gateway session, or {@code null}
 * @param ip the client's address, or {@code null}
 * @param ts when the gateway received it (epoch ms), 0 when absent
 */
public record Envelope(String player, String map, String token, String model, String method, String action,
                       JsonObject data, String node, String session, String ip, long ts) {

  /**
   * Parses a payload. {@code model} and {@code method} are taken from their fields or, when absent, from
   * {@code action} (a missing part defaults to {@code api} / {@code index}, as in the 2021 protocol).
   *
   * @throws MalformedEnvelopeException when the payload is not a JSON object, or {@code player}, {@code map},
   *     {@code token} or the action are missing or of the wrong type
   */
  public static Envelope parse(Buffer payload) {
    JsonObject json;
    try {
      json = new JsonObject(payload);
    } catch (DecodeException | ClassCastException e) {
      throw new MalformedEnvelopeException("not a JSON object");
    }
    String player = id(json, "player");
    String map = id(json, "map");
    String token = text(json, "token", true);
    String model = text(json, "model", false);
    String method = text(json, "method", false);
    String action = text(json, "action", false);
    if (model == null || method == null) {
      if (action == null) {
        throw new MalformedEnvelopeException("no 'action' and no 'model'/'method'");
      }
      int slash = action.indexOf('/');
      String head = slash < 0 ? action : action.substring(0, slash);
      String tail = slash < 0 ? "" : action.substring(slash + 1);
      model = model != null ? model : head.isEmpty() ? "api" : head;
      method = method != null ? method : tail.isEmpty() ? "index" : tail;
    }
    if (action == null) {
      action = model + "/" + method;
    }
    Object data = json.getValue("data");
    if (data != null && !(data instanceof JsonObject)) {
      throw new MalformedEnvelopeException("'data' is not a JSON object");
    }
    Object ts = json.getValue("ts");
    if (ts != null && !(ts instanceof Number)) {
      throw new MalformedEnvelopeException("'ts' is not a number");
    }
    return new Envelope(player, map, token, model, method, action,
      data == null ? new JsonObject() : (JsonObject) data, text(json, "node", false), text(json, "session", false),
      text(json, "ip", false), ts == null ? 0L : ((Number) ts).longValue());
  }

  /** A required id: a non-blank string, or an integral number. */
  private static String id(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value instanceof Number n) {
      double d = n.doubleValue();
      if (d != Math.rint(d)) {
        throw new MalformedEnvelopeException("'" + key + "' is not an integer: " + value);
      }
      return Long.toString(n.longValue());
    }
    if (value == null) {
      throw new MalformedEnvelopeException("no '" + key + "'");
    }
    return text(json, key, true);
  }

  private static String text(JsonObject json, String key, boolean required) {
    Object value = json.getValue(key);
    if (value == null) {
      if (required) {
        throw new MalformedEnvelopeException("no '" + key + "'");
      }
      return null;
    }
    if (!(value instanceof String s)) {
      throw new MalformedEnvelopeException("'" + key + "' is not a string");
    }
    if (s.isBlank()) {
      if (required) {
        throw new MalformedEnvelopeException("'" + key + "' is blank");
      }
      return null;
    }
    return s;
  }

  /** The payload the gateway would publish for this envelope; what {@link #parse} reads back. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("player", player).put("map", map).put("token", token)
      .put("model", model).put("method", method).put("action", action).put("data", data);
    if (node != null) {
      json.put("node", node);
    }
    if (session != null) {
      json.put("session", session);
    }
    if (ip != null) {
      json.put("ip", ip);
    }
    return json.put("ts", ts);
  }
}
