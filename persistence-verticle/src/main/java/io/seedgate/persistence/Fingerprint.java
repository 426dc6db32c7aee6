package io.seedgate.persistence;

import io.seedgate.common.RedisKeys;
import io.seedgate.persistence.resp.RespReplies;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The 64-bit digest of what a flush would save for a player, computed from the raw {@code HGETALL} reply bytes (before
 * any value is decoded), so that an unchanged player costs no more than this. Equal inputs give equal digests; a
 * change of any saved value changes the digest with overwhelming likelihood. Field order does not matter.
 */
final class Fingerprint {

  private static final long SEED = 0x5EED5EED5EED5EEDL;
  private static final long NONE = 0x2545F4914F6CDD1DL;
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private Fingerprint() {
  }

  /**
   * @param playerId the player id given with the token (from the online hash), or {@code null}
   * @param mapId    the map the position was read from, or {@code null}
   * @param x        the position, or {@code null}
   * @param y        the position, or {@code null}
   * @param replies  the replies holding the {@code HGETALL} reply
   * @param hash     the element of that reply (name, value, name, value...); the {@code token} field is left out,
   *                 since it is never saved
   */
  static long of(String playerId, String mapId, Double x, Double y, RespReplies replies, int hash) {
    long h = SEED;
    h = mix(h, chars(playerId));
    h = mix(h, chars(mapId));
    h = mix(h, x == null ? NONE : Double.doubleToLongBits(x));
    h = mix(h, y == null ? NONE : Double.doubleToLongBits(y));
    long fields = 0;
    int n = 0;
    int size = replies.size(hash);
    byte[] bytes = replies.bytes();
    int e = replies.first(hash);
    for (int i = 0; i + 1 < size; i += 2) {
      int value = replies.next(e);
      if (!replies.is(e, RedisKeys.F_TOKEN)) {
        long name = bytes(bytes, replies.offset(e), replies.length(e));
        long v = replies.type(value) == RespReplies.NULL ? NONE
          : bytes(bytes, replies.offset(value), replies.length(value));
        fields += fmix(name * 0x9E3779B97F4A7C15L + v);
        n++;
      }
      e = replies.next(value);
    }
    return mix(mix(h, n), fields);
  }

  /** A 64-bit hash of {@code len} bytes from {@code off}, eight at a time. */
  static long bytes(byte[] b, int off, int len) {
    long h = len * 0xC2B2AE3D27D4EB4FL;
    int i = 0;
    for (; i + 8 <= len; i += 8) {
      h = (h ^ fmix((long) LONGS.get(b, off + i))) * 0x9E3779B97F4A7C15L;
    }
    long tail = 0;
    for (; i < len; i++) {
      tail = (tail << 8) | (b[off + i] & 0xFF);
    }
    return fmix(h ^ fmix(tail + len));
  }

  /** A 64-bit hash of a string's characters (UTF-16), so that it agrees whatever encoding the bytes had. */
  static long chars(String s) {
    if (s == null) {
      return NONE;
    }
    long h = s.length() * 0xC2B2AE3D27D4EB4FL;
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ s.charAt(i)) * 0x100000001B3L;
    }
    return fmix(h);
  }

  /** {@link #chars(String)} of the string these bytes are, when they are all ASCII (checked by the caller). */
  static long asciiChars(byte[] b, int off, int len) {
    long h = len * 0xC2B2AE3D27D4EB4FL;
    for (int i = off, end = off + len; i < end; i++) {
      h = (h ^ b[i]) * 0x100000001B3L;
    }
    return fmix(h);
  }

  /** One field of a set of fields, from the {@link #chars} of its name and value: summed, order does not matter. */
  static long field(long name, long value) {
    return fmix(name * 0x9E3779B97F4A7C15L + value);
  }

  /** The hash of a set of fields: the sum of their {@link #field}s and how many there are. */
  static long fields(long sum, int count) {
    return mix(mix(SEED, count), sum);
  }

  private static long mix(long h, long v) {
    return fmix(h ^ fmix(v + 0x9E3779B97F4A7C15L)) * 31;
  }

  private static long fmix(long k) {
    k ^= k >>> 33;
    k *= 0xFF51AFD7ED558CCDL;
    k ^= k >>> 33;
    k *= 0xC4CEB9FE1A85EC53L;
    k ^= k >>> 33;
    return k;
  }
}
