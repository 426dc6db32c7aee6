package io.seedgate.gateway.session;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** What a WebSocket text frame carries of a message: its own bytes when they are UTF-8, checked once. */
class OutboundMessageTest {

  @Test
  void validUtf8IsSentAsItsOwnBytesWithoutACopy() {
    Buffer bytes = Buffer.buffer("{\"say\":\"h\u00e9llo \ud83d\ude00\"}".getBytes(StandardCharsets.UTF_8));
    OutboundMessage m = OutboundMessage.of(bytes);
    assertSame(bytes, m.utf8());
    assertSame(m.utf8(), m.utf8());
    OutboundMessage text = OutboundMessage.ofText("{\"error\":\"x\"}");
    assertSame(text.bytes(), text.utf8());
  }

  @Test
  void invalidUtf8IsDecodedWithReplacementCharactersAndEncodedAgainOnce() {
    byte[][] invalid = {
      {'"', (byte) 0xff, '"'},                       // never a UTF-8 byte
      {'"', (byte) 0xc3, '"'},                       // a lead byte without its continuation
      {'"', (byte) 0xc0, (byte) 0x80, '"'},          // an overlong NUL
      {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'}, // a surrogate
      {'"', (byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'}, // over U+10FFFF
    };
    for (byte[] b : invalid) {
      OutboundMessage m = OutboundMessage.of(Buffer.buffer(b));
      Buffer sent = m.utf8();
      String expected = new String(b, StandardCharsets.UTF_8);
      assertEquals(Buffer.buffer(expected.getBytes(StandardCharsets.UTF_8)), sent, expected);
      assertSame(sent, m.utf8(), "checked once");
    }
  }
}
