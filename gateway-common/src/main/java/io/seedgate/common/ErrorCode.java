package io.seedgate.common;

/**
 * Errors a client or a caller on the event bus can see. {@link #text()} is what a client receives as
 * {@code {"error":"<text>"}}; {@link #fatal()} errors close the connection after being sent.
 */
public enum ErrorCode {
  INVALID_TOKEN(1, "invalid token", true),
  TOKEN_EXPIRED(2, "token expired", true),
  NO_ACTION(3, "no action", true),
  MALFORMED(4, "malformed message", true),
  TOO_LARGE(5, "message too large", true),
  MODEL_NOT_ALLOWED(6, "unknown model", false),
  IDLE_TIMEOUT(7, "timeout", true),
  AUTH_TIMEOUT(8, "authentication timeout", true),
  REPLACED(9, "logged in elsewhere", true),
  KICKED(10, "kicked", true),
  SERVER_STOPPED(11, "server stopped", true),
  SLOW_CONSUMER(12, "too slow to receive", true),
  UNAVAILABLE(13, "service unavailable", true),
  NOT_AUTHENTICATED(14, "not authenticated", true),
  ACTION_NOT_DELIVERED(15, "action not delivered, try again", false),
  FLOOD(16, "too many messages", false),
  FLOODING(17, "too many messages", true),
  TOO_MANY_CONNECTIONS(18, "too many connections", true);

  private final int code;
  private final String text;
  private final boolean fatal;

  ErrorCode(int code, String text, boolean fatal) {
    this.code = code;
    this.text = text;
    this.fatal = fatal;
  }

  public int code() {
    return code;
  }

  public String text() {
    return text;
  }

  public boolean fatal() {
    return fatal;
  }

  /** The code with this number, or {@link #UNAVAILABLE} for numbers that are not ours (timeouts, no handler). */
  public static ErrorCode of(int code) {
    for (ErrorCode c : values()) {
      if (c.code == code) {
        return c;
      }
    }
    return UNAVAILABLE;
  }
}
