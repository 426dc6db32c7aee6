package io.seedgate.bench;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/** Pre-built client messages and byte-level checks on server messages (no JSON parsing on the hot path). */
final class Messages {

  /** The answer the example service publishes on {@code token:<T>} for {@code api/save}. */
  static final byte[] SAVE_REPLY = bytes("{\"action\":\"save\"");
  /** The answer to {@code api/load}. */
  static final byte[] LOAD_REPLY = bytes("{\"action\":\"load\"");
  static final byte[] ERROR = bytes("{\"error\"");
  /** A fan-out broadcast the bench publishes: {@code {"seq":<n>,"t":<nanoTime>,"players":[...]}}. */
  static final byte[] FANOUT = bytes("{\"seq\":");
  /** What a resumable session sends first: {@code {"session":{"resume":"<tok>","seq":0,"windowSeconds":30}}}. */
  static final byte[] SESSION = bytes("{\"session\"");
  private static final byte[] T_FIELD = bytes("\"t\":");
  private static final byte[] MSG_FIELD = bytes(",\"msg\":");

  private Messages() {
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The first message: {@code {"token":"<T>","action":"<action>"}}. */
  static Buffer login(String token, String action) {
    return login(token, action, false);
  }

  /** The first message, asking for a resumable session when {@code resume}: {@code {...,"resume":true}}. */
  static Buffer login(String token, String action, boolean resume) {
    return Buffer.buffer("{\"token\":\"" + token + "\",\"action\":\"" + action + "\""
      + (resume ? ",\"resume\":true}" : "}"));
  }

  /** A later message: {@code {"action":"<action>","pingTime":0}}. */
  static Buffer action(String action) {
    return Buffer.buffer("{\"action\":\"" + action + "\",\"pingTime\":0}");
  }

  /** The reply prefix the example service answers {@code action} with, on the token channel. */
  static byte[] replyPrefix(String action) {
    String method = action.substring(action.indexOf('/') + 1);
    return bytes("{\"action\":\"" + method + "\"");
  }

  static boolean startsWith(Buffer b, byte[] prefix) {
    return startsWith(b, 0, prefix);
  }

  /** Whether {@code b} holds {@code prefix} at {@code from}. */
  static boolean startsWith(Buffer b, int from, byte[] prefix) {
    if (b.length() - from < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b.getByte(from + i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Where the payload of a resumable session's numbered delivery {@code {"seq":<n>,"msg":<payload>}} starts (it
   * ends before the last byte), or -1 when {@code b} is not one. A fan-out payload also starts with
   * {@code {"seq":<n>}, followed by {@code ,"t":}; its number is {@link #fanoutSeq} either way.
   */
  static int sequencedPayload(Buffer b) {
    int k = FANOUT.length;
    if (!startsWith(b, FANOUT)) {
      return -1;
    }
    while (k < b.length() && b.getByte(k) >= '0' && b.getByte(k) <= '9') {
      k++;
    }
    return k > FANOUT.length && startsWith(b, k, MSG_FIELD) ? k + MSG_FIELD.length : -1;
  }

  /** A fan-out payload of about {@code size} bytes (at least the header) for broadcast {@code seq}. */
  static Buffer fanout(long seq, long nanos, int size) {
    StringBuilder sb = new StringBuilder(size + 16).append("{\"seq\":").append(seq).append(",\"t\":").append(nanos)
      .append(",\"players\":[{\"id\":0,\"action\":\"bench\",\"position\":[0,0],\"pad\":\"");
    int pad = size - sb.length() - 4;
    for (int i = 0; i < pad; i++) {
      sb.append('x');
    }
    return Buffer.buffer(sb.append("\"}]}").toString());
  }

  /** The {@code seq} field of a fan-out payload (it comes first); -1 when absent. */
  static long fanoutSeq(Buffer b) {
    return fanoutSeq(b, 0);
  }

  /** The {@code seq} field of a fan-out payload starting at {@code from}; -1 when absent. */
  static long fanoutSeq(Buffer b, int from) {
    long v = 0;
    int n = b.length();
    int k = from + FANOUT.length;
    for (; k < n; k++) {
      byte c = b.getByte(k);
      if (c < '0' || c > '9') {
        break;
      }
      v = v * 10 + (c - '0');
    }
    return k == from + FANOUT.length ? -1 : v;
  }

  /** The {@code t} field of a fan-out payload; {@link Long#MIN_VALUE} when absent. */
  static long fanoutTime(Buffer b) {
    return fanoutTime(b, 0);
  }

  /** The {@code t} field of a fan-out payload starting at {@code from}; {@link Long#MIN_VALUE} when absent. */
  static long fanoutTime(Buffer b, int from) {
    int n = b.length();
    outer:
    for (int i = from + FANOUT.length; i + T_FIELD.length < n; i++) {
      for (int j = 0; j < T_FIELD.length; j++) {
        if (b.getByte(i + j) != T_FIELD[j]) {
          continue outer;
        }
      }
      int k = i + T_FIELD.length;
      boolean negative = b.getByte(k) == '-';
      if (negative) {
        k++;
      }
      long v = 0;
      for (; k < n; k++) {
        byte c = b.getByte(k);
        if (c < '0' || c > '9') {
          break;
        }
        v = v * 10 + (c - '0');
      }
      return negative ? -v : v;
    }
    return Long.MIN_VALUE;
  }
}
