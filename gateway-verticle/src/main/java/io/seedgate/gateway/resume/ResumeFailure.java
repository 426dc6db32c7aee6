package io.seedgate.gateway.resume;

import io.seedgate.common.ExpectedFailure;

/** A resume that cannot be done, for a {@link ResumeReason}; no stack trace, as it is an answer, not a bug. */
public final class ResumeFailure extends RuntimeException implements ExpectedFailure {

  private final ResumeReason reason;

  public ResumeFailure(ResumeReason reason) {
    super("resume failed: " + reason.wire(), null, false, false);
    this.reason = reason;
  }

  public ResumeReason reason() {
    return reason;
  }

  /** The reason of a failure: its own when it is a {@link ResumeFailure}, else {@link ResumeReason#ELSEWHERE}. */
  public static ResumeReason reasonOf(Throwable failure) {
    return failure instanceof ResumeFailure f ? f.reason() : ResumeReason.ELSEWHERE;
  }
}
