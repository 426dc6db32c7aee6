package io.seedgate.examples;

/** An action message that is not a usable {@link Envelope}; the message says what is wrong with it. */
public final class MalformedEnvelopeException extends RuntimeException {

  public MalformedEnvelopeException(String reason) {
    super(reason, null, false, false);
  }
}
