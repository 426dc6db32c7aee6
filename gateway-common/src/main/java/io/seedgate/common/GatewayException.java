package io.seedgate.common;

import io.vertx.core.eventbus.ReplyException;

/** A failure with an {@link ErrorCode}; futures fail with it, and its code crosses the event bus. */
public class GatewayException extends RuntimeException implements ExpectedFailure {

  private final ErrorCode code;

  public GatewayException(ErrorCode code, String detail) {
    super(detail == null ? code.text() : code.text() + ": " + detail, null, false, false);
    this.code = code;
  }

  public GatewayException(ErrorCode code) {
    this(code, null);
  }

  public ErrorCode code() {
    return code;
  }

  /** The error code a failure carries: ours, or one read from an event-bus reply failure. */
  public static ErrorCode codeOf(Throwable failure) {
    if (failure instanceof GatewayException g) {
      return g.code;
    }
    if (failure instanceof ReplyException r) {
      return ErrorCode.of(r.failureCode());
    }
    return ErrorCode.UNAVAILABLE;
  }
}
