package io.seedgate.gateway.resume;

import io.netty.buffer.ByteBuf;
import io.seedgate.common.vertx.Buffers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SequencedFramesTest {

  @Test
  void prefixIsTheStartOfTheFrame() {
    assertEquals("{\"seq\":17,\"msg\":", SequencedFrames.prefix(17).toString());
  }

  @Test
  void jsonContainersAreRecognisedByTheirFirstNonBlankByte() {
    assertTrue(SequencedFrames.isJsonContainer(Buffer.buffer("{\"a\":1}")));
    assertTrue(SequencedFrames.isJsonContainer(Buffer.buffer(" \r\n\t[1]")));
    assertFalse(SequencedFrames.isJsonContainer(Buffer.buffer("hello {")));
    assertFalse(SequencedFrames.isJsonContainer(Buffer.buffer("\"s\"")));
    assertFalse(SequencedFrames.isJsonContainer(Buffer.buffer("  ")));
    assertFalse(SequencedFrames.isJsonContainer(Buffer.buffer("")));
  }

  @Test
  void quotedTextIsAJsonString() {
    Buffer q = SequencedFrames.quoted("say \"hi\"\n\u00e9");
    assertEquals("say \"hi\"\n\u00e9", new JsonObject("{\"s\":" + q + "}").getString("s"));
  }

  @Test
  void composedFrameSharesThePayloadAndSurvivesARelease() {
    Buffer payload = Buffer.buffer("{\"players\":[1]}");
    Buffer frame = SequencedFrames.compose(SequencedFrames.prefix(3), payload, SequencedFrames.CLOSE);
    assertEquals("{\"seq\":3,\"msg\":{\"players\":[1]}}", frame.toString());
    JsonObject parsed = new JsonObject(frame);
    assertEquals(3, parsed.getInteger("seq"));
    ByteBuf written = Buffers.byteBuf(frame);
    written.release();
    // what a channel does after a write: the shared payload is still there for the next session
    assertEquals("{\"players\":[1]}", payload.toString());
    payload.setByte(2, (byte) 'P');
    assertEquals("{\"seq\":3,\"msg\":{\"Players\":[1]}}", frame.toString(), "a view, not a copy");
  }
}
