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
 * parsed, and every other field is copied into the JSON text of {@code extra} byte for byte (escaped as JSON)
 * without becoming a string of its own. A flush decodes every changed player; going through a string per
 * field, a map and a JSON builder took about a third of its event-loop time.
 *
 * <p>The result is the state {@link PlayerState#fromFields} gives for the same fields decoded as UTF-8 (checked on
 * random hashes by {@code HashDecoderTest}). A hash with a NUL in a field name, whose names may become alike once
 * NULs are removed, is handed to {@code fromFields}.
 *
 * <p>Not thread-safe: one per reader, used from its event loop.
 */
final class HashDecoder {

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private enum Name { ID, ACTION, IP, PING, DATETIME, POSITION_X, POSITION_Y, NOT_SAVED, EXTRA }

  private byte[] json = new byte[256];
  private int length;
  /** The sum of the extra fields' {@link Fingerprint#field}s, and how many: their {@link PgPlayerStore#extraHash}. */
  private long fieldSum;
  private int fieldCount;

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
    length = 0;
    fieldSum = 0;
    fieldCount = 0;
    put((byte) '{');
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
          if (!field(replies, e, value)) {
            return PlayerState.fromFields(playerId, mapId, RedisPlayerReader.fields(replies, hash), x, y, readAt);
          }
        }
      }
      e = replies.next(value);
    }
    id = PlayerState.clean(id);
    if (id == null || id.isEmpty()) {
      return null;
    }
    Double ping = null;
    if (rawPing != null) {
      ping = PlayerState.parseDouble(rawPing);
      if (ping == null) {
        field(RedisKeys.F_PING, rawPing);
      }
    }
    LocalDateTime lastActivity = null;
    if (rawDatetime != null) {
      lastActivity = PlayerState.parseDatetime(rawDatetime);
      if (lastActivity == null) {
        field(RedisKeys.F_DATETIME, rawDatetime);
      }
    }
    put((byte) '}');
    Double px = x != null ? x : PlayerState.round2(PlayerState.parseDouble(rawX));
    Double py = y != null ? y : PlayerState.round2(PlayerState.parseDouble(rawY));
    String extra = length == 2 ? "{}" : new String(json, 0, length, StandardCharsets.UTF_8);
    return new PlayerState(id, PlayerState.clean(mapId), px, py, action, ping, ip, lastActivity,
      new ExtraJson(extra, Fingerprint.fields(fieldSum, fieldCount)), readAt);
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

  /**
   * Appends {@code "name":"value"} from the reply's bytes.
   *
   * @return {@code false}, having appended nothing, when the name holds a NUL
   */
  private boolean field(RespReplies replies, int name, int value) {
    int mark = length;
    if (length > 1) {
      put((byte) ',');
    }
    if (!quote(replies.bytes(), replies.offset(name), replies.length(name))) {
      length = mark;
      return false;
    }
    put((byte) ':');
    int valueStart = length;
    long valueHash;
    if (replies.type(value) == RespReplies.NULL) {
      quote(replies.bytes(), 0, 0);
      valueHash = Fingerprint.chars("");
    } else if (quote(replies.bytes(), replies.offset(value), replies.length(value))) {
      valueHash = chars(replies.bytes(), replies.offset(value), replies.length(value));
    } else {
      // decoded first, then without its NULs: bytes on either side of a NUL must not join into one character
      length = valueStart;
      String cleaned = text(replies, value);
      byte[] v = cleaned.getBytes(StandardCharsets.UTF_8);
      quote(v, 0, v.length);
      valueHash = Fingerprint.chars(cleaned);
    }
    fieldSum += Fingerprint.field(chars(replies.bytes(), replies.offset(name), replies.length(name)), valueHash);
    fieldCount++;
    return true;
  }

  /** {@link Fingerprint#chars} of the string these UTF-8 bytes decode to. */
  private static long chars(byte[] b, int off, int len) {
    for (int i = off, end = off + len; i < end; i++) {
      if (b[i] < 0) {
        return Fingerprint.chars(new String(b, off, len, StandardCharsets.UTF_8));
      }
    }
    return Fingerprint.asciiChars(b, off, len);
  }

  private void field(String name, String value) {
    String cleaned = PlayerState.clean(value);
    fieldSum += Fingerprint.field(Fingerprint.chars(name), Fingerprint.chars(cleaned));
    fieldCount++;
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    byte[] v = cleaned.getBytes(StandardCharsets.UTF_8);
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
