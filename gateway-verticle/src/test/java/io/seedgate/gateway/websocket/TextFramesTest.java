package io.seedgate.gateway.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.seedgate.gateway.session.OutboundMessage;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A shared WebSocket frame is byte for byte what Netty's encoder writes for the same text frame, at every length. */
class TextFramesTest {

  @Test
  void sameBytesAsNettysEncoderAtEveryLengthClass() {
    for (int n : new int[]{0, 1, 125, 126, 127, 1000, 65_535, 65_536, 70_000}) {
      byte[] payload = new byte[n];
      Arrays.fill(payload, (byte) 'a');
      ByteBuf ours = TextFrames.INSTANCE.encode(OutboundMessage.of(Buffer.buffer(payload)),
        PooledByteBufAllocator.DEFAULT);
      EmbeddedChannel netty = new EmbeddedChannel(new WebSocket08FrameEncoder(false));
      netty.writeOutbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(payload)));
      ByteBuf theirs = Unpooled.buffer();
      for (ByteBuf part; (part = netty.readOutbound()) != null; part.release()) {
        theirs.writeBytes(part);
      }
      assertTrue(ours.isDirect(), "direct memory, written to sockets without a copy");
      assertEquals(ByteBufUtil.hexDump(theirs), ByteBufUtil.hexDump(ours), n + " bytes");
      ours.release();
      netty.finishAndReleaseAll();
    }
  }

  @Test
  void oneFrameSharedByEverySocketOfADeliveryAndReleasedAtItsEnd() throws Exception {
    OutboundMessage m = OutboundMessage.delivery(Buffer.buffer("{\"a\":1}"));
    ByteBuf first = m.sharedFrame(TextFrames.INSTANCE, PooledByteBufAllocator.DEFAULT);
    ByteBuf second = m.sharedFrame(TextFrames.INSTANCE, PooledByteBufAllocator.DEFAULT);
    ByteBuf frame = first.unwrap();
    assertSame(frame, second.unwrap(), "the same frame");
    assertEquals(9, first.readableBytes());
    assertEquals(9, second.readableBytes(), "indices of its own");
    assertEquals(3, frame.refCnt(), "the delivery's own reference and one per socket");
    // another thread (another instance's session) frames it itself
    assertNull(CompletableFuture.supplyAsync(() -> m.sharedFrame(TextFrames.INSTANCE, PooledByteBufAllocator.DEFAULT))
      .get());
    first.release();
    m.endDelivery();
    assertEquals(1, frame.refCnt(), "a socket that has not written it yet keeps it");
    assertNull(m.sharedFrame(TextFrames.INSTANCE, PooledByteBufAllocator.DEFAULT), "after the delivery: framed afresh");
    second.release();
    assertEquals(0, frame.refCnt());
    assertNull(OutboundMessage.of(Buffer.buffer("{}")).sharedFrame(TextFrames.INSTANCE,
      PooledByteBufAllocator.DEFAULT), "not a delivery being handed out");
  }
}
