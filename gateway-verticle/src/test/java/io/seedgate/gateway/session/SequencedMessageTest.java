package io.seedgate.gateway.session;

import io.netty.buffer.ByteBufUtil;
import io.seedgate.common.vertx.Buffers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A delivery to a resumable session in each transport's framing: {"seq":n,"msg":payload}, payload not copied. */
class SequencedMessageTest {

  @Test
  void aJsonPayloadIsEmbeddedByteForByte() {
    String payload = "{\"players\":[{\"id\":5,\"position\":[1.5, 2]}]}";
    OutboundMessage shared = OutboundMessage.of(Buffer.buffer(payload));
    OutboundMessage m = shared.sequenced(7);
    assertEquals(7, m.seq());
    assertEquals("{\"seq\":7,\"msg\":" + payload + "}", m.bytes().toString());
    assertEquals("{\"seq\":7,\"msg\":" + payload + "}", m.utf8().toString());
    assertEquals("{\"seq\":7,\"msg\":" + payload + "}||", m.withSuffix(Buffer.buffer("||")).toString());
    assertEquals(payload, shared.bytes().toString(), "the shared message is left as it was");
    assertEquals(payload, shared.withSuffix(Buffer.buffer("||")).toString().replace("||", ""));
  }

  @Test
  void anythingElseIsEmbeddedAsAJsonString() {
    OutboundMessage m = OutboundMessage.of(Buffer.buffer("plain \"text\"")).sequenced(1);
    JsonObject frame = new JsonObject(m.bytes());
    assertEquals(1, frame.getInteger("seq"));
    assertEquals("plain \"text\"", frame.getString("msg"));
  }

  @Test
  void aWebSocketFrameIsValidUtf8EvenForInvalidPayloadBytes() {
    OutboundMessage shared = OutboundMessage.of(Buffer.buffer(new byte[]{'{', '"', 'a', '"', ':', '"',
      (byte) 0xff, '"', '}'}));
    Buffer text = shared.sequenced(2).utf8();
    assertTrue(ByteBufUtil.isText(Buffers.byteBuf(text), StandardCharsets.UTF_8));
    assertEquals(2, new JsonObject(text).getInteger("seq"));
  }

  @Test
  void framesOfOnePayloadForManySessionsShareIt() {
    Buffer bytes = Buffer.buffer("[1,2,3]");
    OutboundMessage shared = OutboundMessage.of(bytes);
    OutboundMessage a = shared.sequenced(1);
    OutboundMessage b = shared.sequenced(99);
    Buffers.byteBuf(a.bytes()).release();
    assertEquals("{\"seq\":99,\"msg\":[1,2,3]}", b.bytes().toString());
    bytes.setByte(1, (byte) '9');
    assertEquals("{\"seq\":99,\"msg\":[9,2,3]}", b.bytes().toString(), "a view of the shared bytes, not a copy");
  }

  @Test
  void aReplacementKeepsTheNumber() {
    OutboundMessage m = OutboundMessage.of(Buffer.buffer("{\"big\":1}")).sequenced(4)
      .withPayload(OutboundMessage.ofText("{\"error\":\"message too large for udp\"}"));
    assertEquals("{\"seq\":4,\"msg\":{\"error\":\"message too large for udp\"}}", m.bytes().toString());
  }
}
