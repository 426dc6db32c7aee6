package io.seedgate.gateway.routing;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.nio.charset.StandardCharsets;

/**
 * The service envelope of one action, the contract with game services, written straight into bytes:
 * <pre>{"player":"5","map":"1","token":"1A2B..","model":"move","method":"up","action":"move/up",
 *  "data":{"pingTime":0.23,"map":{"instanceID":12345}},"node":"node-a","session":"node-a-3","ip":"1.2.3.4",
 *  "ts":1764134400123}</pre>
 * What is the same for every action of a session (player, map, token; node, session, ip) is escaped once per
 * session and map ({@link Parts}); per action only the action's names (plain ASCII, {@link Action} checked them),
 * the client's data (already JSON) and the time are added.
 */
public final class Envelope {

  /** The bytes of an envelope that stay the same across a session's actions on one map. */
  public record Parts(String map, byte[] head, byte[] tail) {
  }

  private static final byte[] MODEL = ascii("\"model\":\"");
  private static final byte[] METHOD = ascii("\",\"method\":\"");
  private static final byte[] ACTION = ascii("\",\"action\":\"");
  private static final byte[] DATA = ascii("\",\"data\":");

  private Envelope() {
  }

  /** The parts for the session as it is now (its map included). */
  static Parts parts(Sender s, String nodeId) {
    return parts(s.playerId(), s.mapId(), s.token(), nodeId, s.id(), s.remoteIp());
  }

  static Parts parts(String player, String map, String token, String node, String session, String ip) {
    String head = "{\"player\":" + quoted(player) + ",\"map\":" + quoted(map) + ",\"token\":" + quoted(token) + ",";
    String tail = ",\"node\":" + quoted(node) + ",\"session\":" + quoted(session) + ",\"ip\":" + quoted(ip)
      + ",\"ts\":";
    return new Parts(map, head.getBytes(StandardCharsets.UTF_8), tail.getBytes(StandardCharsets.UTF_8));
  }

  /** The envelope of one action. */
  static byte[] of(Parts parts, Action action, ActionMessage message, long timestamp) {
    String raw = message.action();
    byte[] data = message.data();
    String ts = Long.toString(timestamp);
    int size = parts.head().length + MODEL.length + action.model().length() + METHOD.length + action.method().length()
      + ACTION.length + raw.length() + DATA.length + data.length + parts.tail().length + ts.length() + 1;
    byte[] out = new byte[size];
    int at = put(out, 0, parts.head());
    at = put(out, at, MODEL);
    at = putAscii(out, at, action.model());
    at = put(out, at, METHOD);
    at = putAscii(out, at, action.method());
    at = put(out, at, ACTION);
    at = putAscii(out, at, raw);
    at = put(out, at, DATA);
    at = put(out, at, data);
    at = put(out, at, parts.tail());
    at = putAscii(out, at, ts);
    out[at] = '}';
    return out;
  }

  private static String quoted(String s) {
    return s == null ? "null" : "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
  }

  private static int put(byte[] out, int at, byte[] bytes) {
    System.arraycopy(bytes, 0, out, at, bytes.length);
    return at + bytes.length;
  }

  /** Copies a string known to be ASCII (action names, digits). */
  private static int putAscii(byte[] out, int at, String s) {
    for (int i = 0; i < s.length(); i++) {
      out[at + i] = (byte) s.charAt(i);
    }
    return at + s.length();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
