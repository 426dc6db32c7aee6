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
  private static final ThreadLocal<Formatted> LAST = ThreadLocal.withInitial(Formatted::new);

  /** The last second formatted on a thread. */
  private static final class Formatted {
    long second = -1;
    String text;
  }

  private HashTime() {
  }

  /** The current time as the 2021 services expect it in the {@code datetime} field. */
  public static String now() {
    long second = System.currentTimeMillis() / 1000;
    Formatted last = LAST.get();
    if (last.second != second) {
      last.second = second;
      last.text = LocalDateTime.now(ZoneId.systemDefault()).format(FORMAT);
    }
    return last.text;
  }
}
