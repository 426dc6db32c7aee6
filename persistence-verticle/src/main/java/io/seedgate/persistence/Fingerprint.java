package io.seedgate.persistence;

import io.seedgate.common.RedisKeys;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Response;

/**
 * The 64-bit digest of what a flush would save for a player, computed from the raw {@code HGETALL} reply (before
 * any value is decoded), so that an unchanged player costs no more than this. Equal inputs give equal digests; a
 * change of any saved value changes the digest with overwhelming likelihood. Field order does not matter.
 */
final class Fingerprint {

  private static final long SEED = 0x5EED5EED5EED5EEDL;
  private static final long NONE = 0x2545F4914F6CDD1DL;

  private Fingerprint() {
  }

  /**
   * @param playerId the player id given with the token (from the online hash), or {@code null}
   * @param mapId    the map the position was read from, or {@code null}
   * @param x        the position, or {@code null}
   * @param y        the position, or {@code null}
   * @param hash     the {@code HGETALL} reply (a RESP3 map or a RESP2 flat array); the {@code token} field is left
   *                 out, since it is never saved
   */
  static long of(String playerId, String mapId, Double x, Double y, Response hash) {
    long h = SEED;
    h = mix(h, chars(playerId));
    h = mix(h, chars(mapId));
    h = mix(h, x == null ? NONE : Double.doubleToLongBits(x));
    h = mix(h, y == null ? NONE : Double.doubleToLongBits(y));
    long fields = 0;
    int n = 0;
    if (hash != null && hash.isMap()) {
      for (String name : hash.getKeys()) {
        if (!RedisKeys.F_TOKEN.equals(name)) {
          fields += field(chars(name), hash.get(name));
          n++;
        }
      }
    } else if (hash != null) {
      for (int i = 0; i + 1 < hash.size(); i += 2) {
        String name = hash.get(i).toString();
        if (!RedisKeys.F_TOKEN.equals(name)) {
          fields += field(chars(name), hash.get(i + 1));
          n++;
        }
      }
    }
    return mix(mix(h, n), fields);
  }

  private static long field(long name, Response value) {
    return fmix(name * 0x9E3779B97F4A7C15L + (value == null ? NONE : bytes(value.toBuffer())));
  }

  /** A 64-bit hash of a buffer's bytes, eight at a time. */
  static long bytes(Buffer b) {
    int len = b.length();
    long h = len * 0xC2B2AE3D27D4EB4FL;
    int i = 0;
    for (; i + 8 <= len; i += 8) {
      h = (h ^ fmix(b.getLong(i))) * 0x9E3779B97F4A7C15L;
    }
    long tail = 0;
    for (; i < len; i++) {
      tail = (tail << 8) | (b.getByte(i) & 0xFF);
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
