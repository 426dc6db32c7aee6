package io.seedgate.persistence;

/**
 * Redis keys only the persistence role uses. They belong in {@link io.seedgate.common.RedisKeys} and should move
 * there; they are kept here until the common module is changed.
 *
 * <ul>
 *   <li>{@code seed:flush-lock} (string, with a TTL): the owner ({@code <nodeId>-<random>}) of the running
 *   periodic flush. Taken with {@code SET NX PX}, extended while the flush runs, released with a
 *   compare-and-delete script; while another node holds it, a node skips its flush cycle.</li>
 * </ul>
 */
public final class PersistenceKeys {

  public static final String FLUSH_LOCK = "seed:flush-lock";

  private PersistenceKeys() {
  }
}
