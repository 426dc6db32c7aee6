package io.seedgate.common.redis;

import io.vertx.redis.client.Request;
import io.vertx.redis.client.impl.RequestImpl;
import io.vertx.redis.client.impl.ZModem;

import java.util.List;

/**
 * The Redis Cluster hash slot of a key, a channel or a request, computed the way the Vert.x client routes
 * ({@code ZModem}: CRC16 of the key, or of its {@code {hash tag}}, modulo 16384; {@code RequestImpl.keys()}): the one
 * use of the client's implementation classes, here so that what the node splits or routes always agrees with where
 * the client sends it.
 */
public final class HashSlots {

  /** How many slots a Redis Cluster has. */
  public static final int COUNT = 16_384;
  /** The slot of a request without keys. */
  public static final int NONE = -1;

  private HashSlots() {
  }

  /** The slot of a key or a sharded channel. */
  public static int of(String key) {
    return ZModem.generate(key);
  }

  /**
   * The slot of a request's keys, {@link #NONE} for none; a request whose keys span slots gets its first key's
   * slot, and Redis refuses it ({@code CROSSSLOT}) as it would anyway.
   */
  public static int of(Request request) {
    List<byte[]> keys = ((RequestImpl) request).keys();
    return keys.isEmpty() ? NONE : ZModem.generate(keys.get(0));
  }
}
