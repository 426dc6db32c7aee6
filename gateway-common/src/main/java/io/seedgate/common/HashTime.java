package io.seedgate.common;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * The 2021 {@code datetime} hash field format ({@code Y-m-d H:i:s} in PHP, the node's time zone), formatted at
 * most once per second per thread so the per-message path does not format dates.
 */
public final class HashTime {

  public static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final ThreadLocal<String[]> LAST = ThreadLocal.withInitial(() -> new String[]{"", ""});

  private HashTime() {
  }

  /** The current time as the 2021 services expect it in the {@code datetime} field. */
  public static String now() {
    long second = System.currentTimeMillis() / 1000;
    String[] last = LAST.get();
    String key = Long.toString(second);
    if (!key.equals(last[0])) {
      last[0] = key;
      last[1] = LocalDateTime.now(ZoneId.systemDefault()).format(FORMAT);
    }
    return last[1];
  }
}
