package io.seedgate.persistence;

/**
 * Positions from the scores of a Redis GEO set, decoded here as Redis's {@code GEOPOS} decodes them: a score is a
 * 52-bit geohash (latitude bits in the even positions, longitude bits in the odd ones, 26 steps each over the WGS84
 * ranges Redis uses), and the position is the centre of its cell, clamped to those ranges.
 *
 * <p>Why not {@code GEOPOS}: per member it costs Redis, which every node shares, more than twice what
 * {@code ZMSCORE} costs (two long doubles printed with 17 decimals against one integral double; the figures are in
 * BENCHMARKS.md, FlushBenchmark), and this node parses one integer instead of two long decimals.
 */
final class GeoHashes {

  private static final int STEP = 26;
  private static final double LONG_MIN = -180;
  private static final double LONG_MAX = 180;
  private static final double LAT_MIN = -85.05112878;
  private static final double LAT_MAX = 85.05112878;

  private GeoHashes() {
  }

  /**
   * Whether a score is a geohash that {@link #longitude}/{@link #latitude} decode: any non-negative integer (a point
   * on the ranges' upper edges encodes one step past 26 bits, which Redis decodes too, then clamps).
   */
  static boolean valid(long bits) {
    return bits >= 0;
  }

  static double longitude(long bits) {
    long cell = squash(bits >>> 1);
    double min = LONG_MIN + (cell * 1.0 / (1L << STEP)) * (LONG_MAX - LONG_MIN);
    double max = LONG_MIN + ((cell + 1) * 1.0 / (1L << STEP)) * (LONG_MAX - LONG_MIN);
    return Math.min(LONG_MAX, Math.max(LONG_MIN, (min + max) / 2));
  }

  static double latitude(long bits) {
    long cell = squash(bits);
    double min = LAT_MIN + (cell * 1.0 / (1L << STEP)) * (LAT_MAX - LAT_MIN);
    double max = LAT_MIN + ((cell + 1) * 1.0 / (1L << STEP)) * (LAT_MAX - LAT_MIN);
    return Math.min(LAT_MAX, Math.max(LAT_MIN, (min + max) / 2));
  }

  /** The bits in the even positions of {@code x}, packed together. */
  private static long squash(long x) {
    x &= 0x5555555555555555L;
    x = (x | (x >>> 1)) & 0x3333333333333333L;
    x = (x | (x >>> 2)) & 0x0F0F0F0F0F0F0F0FL;
    x = (x | (x >>> 4)) & 0x00FF00FF00FF00FFL;
    x = (x | (x >>> 8)) & 0x0000FFFF0000FFFFL;
    x = (x | (x >>> 16)) & 0x00000000FFFFFFFFL;
    return x;
  }
}
