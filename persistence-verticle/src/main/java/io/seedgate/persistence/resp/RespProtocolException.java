package io.seedgate.persistence.resp;

/** Bytes from Redis that are not RESP2: the connection cannot be trusted any further and is closed. */
public final class RespProtocolException extends RuntimeException {

  public RespProtocolException(String message) {
    super(message, null, false, false);
  }
}
