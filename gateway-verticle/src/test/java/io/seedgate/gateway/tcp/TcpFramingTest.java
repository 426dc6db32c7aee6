package io.seedgate.gateway.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the fuzz test does not see: who owns the bytes. Every read is released, the buffer of an unfinished frame is
 * let go when the framing stops or the connection ends, and the frame being handed over stays readable until its
 * receiver returns, even when the receiver stops the framing.
 */
class TcpFramingTest {

  /** An allocator that remembers every buffer it made, to check they were all released. */
  private static final class Tracking extends AbstractByteBufAllocator {
    final List<ByteBuf> made = new ArrayList<>();

    Tracking() {
      super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
      ByteBuf b = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
      made.add(b);
      return b;
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
      return newHeapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
      return false;
    }

    void assertAllReleased() {
      for (ByteBuf b : made) {
        assertEquals(0, b.refCnt(), "a buffer of the framing was not released");
      }
    }
  }

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }

  private static final class Collect implements TcpFraming.Receiver {
    final List<String> frames = new ArrayList<>();
    boolean tooLarge;

    @Override
    public void frame(Buffer frame) {
      frames.add(frame.toString(StandardCharsets.ISO_8859_1));
    }

    @Override
    public void tooLarge() {
      tooLarge = true;
    }
  }

  @Test
  void everyReadIsReleasedAndTheUnfinishedFrameWithTheConnection() {
    Tracking alloc = new Tracking();
    Collect out = new Collect();
    TcpFraming framing = new TcpFraming(64, out);
    List<ByteBuf> reads = List.of(bytes("{\"a\":1}||{\"b\""), bytes(":2}|"), bytes("|{\"c\":"));
    for (ByteBuf read : reads) {
      framing.handle(read, alloc);
      assertEquals(0, read.refCnt(), "a read was not released");
    }
    assertEquals(List.of("{\"a\":1}", "{\"b\":2}"), out.frames);
    assertTrue(alloc.made.stream().anyMatch(b -> b.refCnt() > 0), "the unfinished frame is kept");
    framing.release();
    alloc.assertAllReleased();
  }

  @Test
  void aFrameDribbledOneByteAtATimeArrivesWhole() {
    Tracking alloc = new Tracking();
    Collect out = new Collect();
    TcpFraming framing = new TcpFraming(8192, out);
    String frame = "x".repeat(5000);
    for (byte b : (frame + "||").getBytes(StandardCharsets.ISO_8859_1)) {
      framing.handle(Unpooled.wrappedBuffer(new byte[] {b}), alloc);
    }
    assertEquals(List.of(frame), out.frames);
    assertEquals(0, alloc.made.stream().filter(b -> b.refCnt() > 0).count(), "nothing is buffered between frames");
    // a buffer that doubles: a handful of allocations for 5,000 bytes, not one per byte
    assertTrue(alloc.made.size() < 20, alloc.made.size() + " buffers allocated");
  }

  @Test
  void aFrameOverTheLimitStillArrivingStopsTheFramingAndLetsGoOfItsBytes() {
    Tracking alloc = new Tracking();
    Collect out = new Collect();
    TcpFraming framing = new TcpFraming(16, out);
    framing.handle(bytes("{\"ok\":1}||" + "y".repeat(10)), alloc);
    framing.handle(bytes("y".repeat(10)), alloc);
    assertTrue(out.tooLarge);
    assertTrue(framing.stopped());
    ByteBuf later = bytes("{\"late\":1}||");
    framing.handle(later, alloc);
    assertEquals(List.of("{\"ok\":1}"), out.frames);
    assertEquals(0, later.refCnt());
    alloc.assertAllReleased();
  }

  @Test
  void aReceiverThatStopsTheFramingStillReadsItsFrameAndGetsNoOther() {
    Tracking alloc = new Tracking();
    List<String> seen = new ArrayList<>();
    TcpFraming[] framing = new TcpFraming[1];
    framing[0] = new TcpFraming(64, new TcpFraming.Receiver() {
      @Override
      public void frame(Buffer frame) {
        framing[0].stop();
        seen.add(frame.toString(StandardCharsets.ISO_8859_1));
      }

      @Override
      public void tooLarge() {
        seen.add("<too large>");
      }
    });
    framing[0].handle(bytes("{\"first\""), alloc);
    framing[0].handle(bytes(":1}||{\"second\":2}||"), alloc);
    assertEquals(List.of("{\"first\":1}"), seen);
    alloc.assertAllReleased();
  }
}
