package io.seedgate.gateway.routing;

import java.util.BitSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which commands of a failed pipelined batch Redis refused. The Vert.x client fails a whole batch when any reply is an
 * error and names each refused command's index in the failure's message, one {@code ERR [index] cause} line each.
 */
final class BatchFailures {

  private static final Pattern INDEX = Pattern.compile("(?m)^ERR \\[(\\d+)] ");

  private BatchFailures() {
  }

  /**
   * The refused commands' indexes, or {@code null} when the failure names none (the connection was down or lost:
   * every command counts as failed).
   */
  static BitSet refused(Throwable failure, int commands) {
    String message = failure == null ? null : failure.getMessage();
    if (message == null) {
      return null;
    }
    BitSet refused = new BitSet(commands);
    Matcher m = INDEX.matcher(message);
    while (m.find()) {
      int index;
      try {
        index = Integer.parseInt(m.group(1));
      } catch (NumberFormatException e) {
        return null;
      }
      if (index >= commands) {
        return null;
      }
      refused.set(index);
    }
    return refused.isEmpty() ? null : refused;
  }
}
