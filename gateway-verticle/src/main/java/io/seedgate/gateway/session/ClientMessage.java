package io.seedgate.gateway.session;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.seedgate.gateway.routing.ActionMessage;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;

/**
 * One message from a client, 2021 format: {@code {"token":"..","action":"move/up","pingTime":0.23, ...}}.
 * {@code token} and {@code action} are taken out, and so is {@code resume} when it is {@code true} or a string (the
 * opt-in to, or the request of, a resumable session); every other field is kept, as JSON, in {@link #data()}.
 *
 * <p>Parsed in one streaming pass: the other fields are copied token by token into {@code data} as they are read,
 * never built into a tree of maps and boxed values, since {@code data} is only ever passed on to the services.
 */
public final class ClientMessage implements ActionMessage {

  /**
   * Jackson's default read limits apply (nesting depth 1000): a deeply nested message is malformed at once. Comments
   * are allowed, as Vert.x's JsonObject allows them (and the gateway did before it parsed by streaming).
   */
  private static final JsonFactory JSON = JsonFactory.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build();
  private static final byte[] EMPTY_OBJECT = {'{', '}'};

  private final String token;
  private final String action;
  private final byte[] data;
  private final String pingTime;
  private final boolean resumeAsked;
  private final String resumeToken;
  private final long seq;

  private ClientMessage(String token, String action, byte[] data, String pingTime, boolean resumeAsked,
                        String resumeToken, long seq) {
    this.token = token;
    this.action = action;
    this.data = data;
    this.pingTime = pingTime;
    this.resumeAsked = resumeAsked;
    this.resumeToken = resumeToken;
    this.seq = seq;
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
    try (JsonParser in = raw instanceof String s ? JSON.createParser(s) : JSON.createParser(((Buffer) raw).getBytes())) {
      if (in.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not a JSON object");
      }
      String token = null;
      String action = null;
      String pingTime = null;
      boolean resumeAsked = false;
      String resumeToken = null;
      long seq = -1;
      ByteArrayBuilder bytes = null;
      JsonGenerator out = null;
      for (JsonToken t = in.nextToken(); t != JsonToken.END_OBJECT; t = in.nextToken()) {
        if (t != JsonToken.FIELD_NAME) {
          throw new IllegalArgumentException("not a JSON object");
        }
        String name = in.currentName();
        JsonToken value = in.nextToken();
        if ("token".equals(name)) {
          token = stringOrNull(in, value);
        } else if ("action".equals(name)) {
          action = stringOrNull(in, value);
        } else if ("resume".equals(name) && (value == JsonToken.VALUE_TRUE || value == JsonToken.VALUE_STRING)) {
          resumeAsked = value == JsonToken.VALUE_TRUE;
          resumeToken = value == JsonToken.VALUE_STRING ? in.getText() : null;
        } else {
          if ("pingTime".equals(name)) {
            pingTime = value.isNumeric() ? in.getNumberValue().toString() : null;
          } else if ("seq".equals(name) && value == JsonToken.VALUE_NUMBER_INT
            && in.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            seq = in.getLongValue();
          }
          if (out == null) {
            bytes = new ByteArrayBuilder(128);
            out = JSON.createGenerator(bytes);
            out.writeStartObject();
          }
          out.writeFieldName(name);
          out.copyCurrentStructure(in);
        }
      }
      if (in.nextToken() != null) {
        throw new IllegalArgumentException("trailing content after the JSON object");
      }
      byte[] data = EMPTY_OBJECT;
      if (out != null) {
        out.writeEndObject();
        out.close();
        data = bytes.toByteArray();
      }
      return new ClientMessage(token, action, data, pingTime, resumeAsked, resumeToken, seq);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a JSON object", e);
    }
  }

  private static String stringOrNull(JsonParser in, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.VALUE_STRING) {
      throw new IllegalArgumentException("token and action must be strings");
    }
    return in.getText();
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

  /** Whether the message asks for a resumable session: {@code "resume":true} (taken out of {@link #data()}). */
  public boolean resumeAsked() {
    return resumeAsked;
  }

  /** The resume token of {@code {"resume":"<token>","seq":<n>}} (taken out of {@link #data()}), or {@code null}. */
  public String resumeToken() {
    return resumeToken;
  }

  /** {@code seq} when it is a whole number (it stays in {@link #data()} too), else -1. */
  public long seq() {
    return seq;
  }

  /** The token, or {@code null}. */
  public String token() {
    return token;
  }

  /** The raw action string, or {@code null}. */
  @Override
  public String action() {
    return action;
  }

  /**
   * The client's other fields (including {@code pingTime}) as a JSON object in UTF-8, to be passed on to the
   * service; {@code {}} when there are none. Not to be modified.
   */
  @Override
  public byte[] data() {
    return data;
  }

  /** {@code pingTime} as the client wrote it when it is a number (as Redis should store it), else {@code null}. */
  @Override
  public String pingTime() {
    return pingTime;
  }
}
