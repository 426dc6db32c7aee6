package io.seedgate.gateway.session;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * One message for one or many clients: the payload bytes as a game service published them, with its text decoded
 * at most once however many WebSocket clients it goes to.
 */
public final class OutboundMessage {

  private final Buffer bytes;
  private String text;

  private OutboundMessage(Buffer bytes, String text) {
    this.bytes = bytes;
    this.text = text;
  }

  public static OutboundMessage of(Buffer bytes) {
    return new OutboundMessage(bytes, null);
  }

  public static OutboundMessage ofText(String text) {
    return new OutboundMessage(Buffer.buffer(text.getBytes(StandardCharsets.UTF_8)), text);
  }

  public Buffer bytes() {
    return bytes;
  }

  public String text() {
    if (text == null) {
      text = bytes.toString(StandardCharsets.UTF_8);
    }
    return text;
  }

  public int length() {
    return bytes.length();
  }
}
