package io.seedgate.gateway.session;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * One message from a client, 2021 format: {@code {"token":"..","action":"move/up","pingTime":0.23, ...}}.
 * {@code token} and {@code action} are taken out; every other field stays in {@link #fields()}.
 */
public final class ClientMessage {

  public static final String DEFAULT_MODEL = "api";
  public static final String DEFAULT_METHOD = "index";

  private final String token;
  private final String action;
  private final JsonObject fields;

  private ClientMessage(String token, String action, JsonObject fields) {
    this.token = token;
    this.action = action;
    this.fields = fields;
  }

  /**
   * Parses a client message.
   *
   * @param raw a {@link String} (WebSocket text frame) or {@link Buffer} (UTF-8 bytes)
   * @throws IllegalArgumentException when it is not a JSON object in UTF-8, or {@code token}/{@code action} are not
   *                                  strings
   */
  public static ClientMessage parse(Object raw) {
    if (raw instanceof Buffer b && !mayBeUtf8Json(b)) {
      throw new IllegalArgumentException("not UTF-8");
    }
    JsonObject json;
    try {
      json = raw instanceof String s ? new JsonObject(s) : new JsonObject((Buffer) raw);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a JSON object", e);
    }
    Object token = json.remove("token");
    Object action = json.remove("action");
    if (token != null && !(token instanceof String) || action != null && !(action instanceof String)) {
      throw new IllegalArgumentException("token and action must be strings");
    }
    return new ClientMessage((String) token, (String) action, json);
  }

  /**
   * Whether the bytes may be UTF-8 JSON as far as their start tells: the JSON parser guesses UTF-16 or UTF-32 from
   * zero bytes or a UTF-16 byte-order mark there, and would read {@code 00 7B 00 7D} as {@code {}}; client messages
   * are UTF-8 only (text and binary frames, TCP, UDP alike).
   */
  public static boolean mayBeUtf8Json(Buffer bytes) {
    int n = Math.min(4, bytes.length());
    for (int i = 0; i < n; i++) {
      if (bytes.getByte(i) == 0) {
        return false;
      }
    }
    if (n >= 2) {
      int b0 = bytes.getByte(0) & 0xff;
      int b1 = bytes.getByte(1) & 0xff;
      return !(b0 == 0xfe && b1 == 0xff || b0 == 0xff && b1 == 0xfe);
    }
    return true;
  }

  /** The token, or {@code null}. */
  public String token() {
    return token;
  }

  /** The raw action string, or {@code null}. */
  public String action() {
    return action;
  }

  /** The client's other fields (including {@code pingTime}), to be passed on to the service. */
  public JsonObject fields() {
    return fields;
  }

  /** {@code pingTime} when it is a number, else {@code null}. */
  public Number pingTime() {
    return fields.getValue("pingTime") instanceof Number n ? n : null;
  }
}
