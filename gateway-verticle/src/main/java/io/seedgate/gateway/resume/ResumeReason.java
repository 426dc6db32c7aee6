package io.seedgate.gateway.resume;

import java.util.Locale;

/** Why a resume failed, as the client reads it in {@code {"error":"resume failed","reason":"<wire>"}}. */
public enum ResumeReason {
  /** No such session, a token that does not match, or a sequence number the session never sent. */
  UNKNOWN,
  /** The session's window passed before the client came back. */
  EXPIRED,
  /** The session buffered more than its bound while detached, or the client's sequence number is older than it. */
  OVERFLOWED,
  /** The player logged in again meanwhile, or the session ended for another reason of the server's. */
  REPLACED,
  /** The session is held by another incarnation (another gateway instance or node) that is gone or could not hand it over. */
  ELSEWHERE;

  /** The reason of its {@link #wire} form, {@link #ELSEWHERE} for any other text. */
  public static ResumeReason fromWire(String wire) {
    for (ResumeReason r : values()) {
      if (r.wire().equals(wire)) {
        return r;
      }
    }
    return ELSEWHERE;
  }

  /** The reason as the client reads it. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
