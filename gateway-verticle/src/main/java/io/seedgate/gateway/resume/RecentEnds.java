package io.seedgate.gateway.resume;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The resumable sessions of one gateway instance that ended lately and why, so that a client coming back too late
 * is told {@code expired}, {@code overflowed} or {@code replaced} rather than {@code unknown}. Bounded in number and
 * in time; used on one event loop.
 */
public final class RecentEnds {

  private record End(ResumeReason reason, long at) {
  }

  private final Map<String, End> ends = new LinkedHashMap<>();
  private final int max;
  private final long keepMs;

  /**
   * @param max    ends kept at most (the oldest forgotten first)
   * @param keepMs how long an end is kept
   */
  public RecentEnds(int max, long keepMs) {
    this.max = max;
    this.keepMs = keepMs;
  }

  /** The session ended at {@code now} for the reason. */
  public void ended(String sessionId, ResumeReason reason, long now) {
    ends.remove(sessionId);
    ends.put(sessionId, new End(reason, now));
    forgetOld(now);
  }

  /** Why the session ended, or {@link ResumeReason#UNKNOWN} when it is not known to have. */
  public ResumeReason reason(String sessionId, long now) {
    forgetOld(now);
    End e = ends.get(sessionId);
    return e == null ? ResumeReason.UNKNOWN : e.reason();
  }

  /** Ends kept now. */
  public int size() {
    return ends.size();
  }

  private void forgetOld(long now) {
    for (Iterator<End> it = ends.values().iterator(); it.hasNext(); ) {
      End e = it.next();
      if (ends.size() > max || e.at() < now - keepMs) {
        it.remove();
      } else {
        break;
      }
    }
  }
}
