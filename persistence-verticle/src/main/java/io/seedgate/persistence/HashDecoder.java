package io.seedgate.persistence;

import io.seedgate.common.RedisKeys;
import io.seedgate.persistence.resp.RespReplies;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.Arrays;

/**
 * Decodes a player's {@code HGETALL} reply into the {@link PlayerState} a flush saves, from the reply bytes: the
 * text columns ({@code id}, {@code action}, {@code ip}) become strings, {@code ping} and {@code datetime} are
 * parsed, and every other field goes into {@code extra} ({@link ExtraJson}) without becoming a string of its own:
 * hashed in the decoding pass ({@link PgPlayerStore#extraHash}), and copied into its JSON text byte for byte (escaped
 * as JSON) only when that text is first asked for, which it never is for a player written without extra. A flush
 * decodes every changed player; going through a string per field, a map and a JSON builder was a large part of its
 * event-loop time (BENCHMARKS.md, FlushBenchmark).
 *
 * <p>The result is the state {@link PlayerState#fromFields} gives for the same fields decoded as UTF-8, with the same
 * JSON text and hash (checked on random hashes by {@code HashDecoderTest}). A hash with a NUL in a field name, whose
 * names may become alike once NULs are removed, is handed to {@code fromFields}.
 *
 * <p>Not thread-safe: one per reader, used from its event loop.
 */
final class HashDecoder {

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private enum Name { ID, ACTION, IP, PING, DATETIME, POSITION_X, POSITION_Y, NOT_SAVED, EXTRA }

  /** What {@link #chars(RespReplies, int)} gives for bytes holding a NUL (a hash value like any other, in theory). */
  private static final long NUL = 0x4E554C4E554C4E55L;

  private byte[] json = new byte[256];
  private int length;

  /**
   * @param playerId the player id, or {@code null} to take the hash field {@code id}
   * @param mapId    the map whose GEO set the position came from
   * @param replies  the replies holding the {@code HGETALL} reply
   * @param hash     that reply (name, value, name, value...)
   * @param x        the GEO position, or {@code null} to use a {@code position_x} field if any
   * @param y        likewise
   * @param readAt   the Redis time of the read
   * @return the state, or {@code null} when neither {@code playerId} nor the hash names the player
   */
  PlayerState decode(String playerId, String mapId, RespReplies replies, int hash, Double x, Double y,
                     OffsetDateTime readAt) {
    String id = playerId;
    String action = null;
    String ip = null;
    String rawPing = null;
    String rawDatetime = null;
    String rawX = null;
    String rawY = null;
    long fieldSum = 0;
    int fieldCount = 0;
    int size = replies.size(hash);
    int e = replies.first(hash);
    for (int i = 0; i + 1 < size; i += 2) {
      int value = replies.next(e);
      switch (name(replies, e)) {
        case ID -> id = id != null ? id : text(replies, value);
        case ACTION -> action = text(replies, value);
        case IP -> ip = text(replies, value);
        case PING -> rawPing = raw(replies, value);
        case DATETIME -> rawDatetime = raw(replies, value);
        case POSITION_X -> rawX = raw(replies, value);
        case POSITION_Y -> rawY = raw(replies, value);
        case NOT_SAVED -> {
          // the map is given; the token is never saved
        }
        case EXTRA -> {
          long name = chars(replies, e);
          if (name == NUL) {
            return PlayerState.fromFields(playerId, mapId, RedisPlayerReader.fields(replies, hash), x, y, readAt);
          }
          long v = chars(replies, value);
          fieldSum += Fingerprint.field(name, v == NUL ? Fingerprint.chars(text(replies, value)) : v);
          fieldCount++;
        }
      }
      e = replies.next(value);
    }
    id = PlayerState.clean(id);
    if (id == null || id.isEmpty()) {
      return null;
    }
    Double ping = null;
    String pingExtra = null;
    if (rawPing != null) {
      ping = PlayerState.parseDouble(rawPing);
      if (ping == null) {
        pingExtra = PlayerState.clean(rawPing);
        fieldSum += Fingerprint.field(Fingerprint.chars(RedisKeys.F_PING), Fingerprint.chars(pingExtra));
        fieldCount++;
      }
    }
    LocalDateTime lastActivity = null;
    String datetimeExtra = null;
    if (rawDatetime != null) {
      lastActivity = PlayerState.parseDatetime(rawDatetime);
      if (lastActivity == null) {
        datetimeExtra = PlayerState.clean(rawDatetime);
        fieldSum += Fingerprint.field(Fingerprint.chars(RedisKeys.F_DATETIME), Fingerprint.chars(datetimeExtra));
        fieldCount++;
      }
    }
    Double px = x != null ? x : PlayerState.round2(PlayerState.parseDouble(rawX));
    Double py = y != null ? y : PlayerState.round2(PlayerState.parseDouble(rawY));
    String pingField = pingExtra;
    String datetimeField = datetimeExtra;
    return new PlayerState(id, PlayerState.clean(mapId), px, py, action, ping, ip, lastActivity,
      new ExtraJson(() -> json(replies, hash, pingField, datetimeField), Fingerprint.fields(fieldSum, fieldCount)),
      readAt);
  }

  /**
   * The JSON text of the extra fields of a reply already decoded (so with no NUL in a name), and of a {@code ping}
   * and {@code datetime} that did not parse. Built only for a player written in full.
   */
  private String json(RespReplies replies, int hash, String pingExtra, String datetimeExtra) {
    length = 0;
    put((byte) '{');
    int size = replies.size(hash);
    int e = replies.first(hash);
    for (int i = 0; i + 1 < size; i += 2) {
      int value = replies.next(e);
      if (name(replies, e) == Name.EXTRA) {
        field(replies, e, value);
      }
      e = replies.next(value);
    }
    if (pingExtra != null) {
      field(RedisKeys.F_PING, pingExtra);
    }
    if (datetimeExtra != null) {
      field(RedisKeys.F_DATETIME, datetimeExtra);
    }
    put((byte) '}');
    return length == 2 ? "{}" : new String(json, 0, length, StandardCharsets.UTF_8);
  }

  private static Name name(RespReplies replies, int e) {
    switch (replies.length(e)) {
      case 2:
        return replies.is(e, RedisKeys.F_ID) ? Name.ID : replies.is(e, RedisKeys.F_IP) ? Name.IP : Name.EXTRA;
      case 4:
        return replies.is(e, RedisKeys.F_PING) ? Name.PING : Name.EXTRA;
      case 5:
        return replies.is(e, RedisKeys.F_TOKEN) ? Name.NOT_SAVED : Name.EXTRA;
      case 6:
        return replies.is(e, RedisKeys.F_ACTION) ? Name.ACTION
          : replies.is(e, RedisKeys.F_MAP_ID) ? Name.NOT_SAVED : Name.EXTRA;
      case 8:
        return replies.is(e, RedisKeys.F_DATETIME) ? Name.DATETIME : Name.EXTRA;
      case 10:
        return replies.is(e, RedisKeys.F_POSITION_X) ? Name.POSITION_X
          : replies.is(e, RedisKeys.F_POSITION_Y) ? Name.POSITION_Y : Name.EXTRA;
      default:
        return Name.EXTRA;
    }
  }

  /** A value as text without NULs. */
  private static String text(RespReplies replies, int value) {
    return PlayerState.clean(raw(replies, value));
  }

  /** A value as text ({@code ""} for a null, which {@code HGETALL} never gives). */
  private static String raw(RespReplies replies, int value) {
    String s = replies.string(value);
    return s == null ? "" : s;
  }

  /** Appends {@code "name":"value"} from the reply's bytes (a name without NULs). */
  private void field(RespReplies replies, int name, int value) {
    if (length > 1) {
      put((byte) ',');
    }
    quote(replies.bytes(), replies.offset(name), replies.length(name));
    put((byte) ':');
    int valueStart = length;
    if (replies.type(value) == RespReplies.NULL) {
      quote(replies.bytes(), 0, 0);
    } else if (!quote(replies.bytes(), replies.offset(value), replies.length(value))) {
      // decoded first, then without its NULs: bytes on either side of a NUL must not join into one character
      length = valueStart;
      byte[] v = text(replies, value).getBytes(StandardCharsets.UTF_8);
      quote(v, 0, v.length);
    }
  }

  /**
   * {@link Fingerprint#chars} of the string a reply element's UTF-8 bytes decode to ({@code ""} for a null), or
   * {@link #NUL} when they hold a NUL.
   */
  private static long chars(RespReplies replies, int element) {
    if (replies.type(element) == RespReplies.NULL) {
      return Fingerprint.chars("");
    }
    byte[] b = replies.bytes();
    int off = replies.offset(element);
    int len = replies.length(element);
    boolean ascii = true;
    for (int i = off, end = off + len; i < end; i++) {
      if (b[i] == 0) {
        return NUL;
      }
      ascii &= b[i] > 0;
    }
    return ascii ? Fingerprint.asciiChars(b, off, len)
      : Fingerprint.chars(new String(b, off, len, StandardCharsets.UTF_8));
  }

  private void field(String name, String value) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    if (length > 1) {
      put((byte) ',');
    }
    quote(n, 0, n.length);
    put((byte) ':');
    quote(v, 0, v.length);
  }

  /**
   * Appends a JSON string of UTF-8 bytes: quotes, backslashes and control characters escaped.
   *
   * @return {@code false} when the bytes hold a NUL (what was appended is then to be dropped)
   */
  private boolean quote(byte[] b, int off, int len) {
    ensure(len * 6 + 2);
    json[length++] = '"';
    for (int i = off, end = off + len; i < end; i++) {
      byte c = b[i];
      if (c == '"' || c == '\\') {
        json[length++] = '\\';
        json[length++] = c;
      } else if (c >= 0x20 || c < 0) {
        json[length++] = c;
      } else if (c == 0) {
        return false;
      } else {
        json[length++] = '\\';
        json[length++] = 'u';
        json[length++] = '0';
        json[length++] = '0';
        json[length++] = HEX[c >> 4];
        json[length++] = HEX[c & 0xF];
      }
    }
    json[length++] = '"';
    return true;
  }

  private void put(byte b) {
    ensure(1);
    json[length++] = b;
  }

  private void ensure(int more) {
    if (length + more > json.length) {
      json = Arrays.copyOf(json, Math.max(json.length * 2, length + more));
    }
  }
}
