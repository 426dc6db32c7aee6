package io.seedgate.gateway.tcp;

import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.seedgate.gateway.Fuzz;
import io.vertx.core.buffer.Buffer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The TCP {@code ||} framing on any byte stream cut into any reads: it delivers exactly the frames a whole-stream
 * reading gives (non-empty, in order), ends with "too large" at the first frame over the limit (or a trailing
 * unterminated one over limit plus delimiter), and the read boundaries change nothing.
 */
class TcpFramingFuzzTest {

  private static final byte[] DELIMITER = TcpTransport.DELIMITER.getBytes(StandardCharsets.US_ASCII);
  private static final String TOO_LARGE = "<too large>";

  @Property
  void readBoundariesChangeNothing(@ForAll("streams") byte[] stream,
                                   @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 100_000) Integer> cuts,
                                   @ForAll("limits") int maxFrameBytes) {
    List<String> framed = Fuzz.bounded(() -> {
      List<String> out = new ArrayList<>();
      TcpFraming framing = new TcpFraming(maxFrameBytes, new TcpFraming.Receiver() {
        @Override
        public void frame(Buffer frame) {
          out.add(frame.toString(StandardCharsets.ISO_8859_1));
        }

        @Override
        public void tooLarge() {
          out.add(TOO_LARGE);
        }
      });
      for (byte[] chunk : Fuzz.chunks(stream, cuts)) {
        framing.handle(Unpooled.copiedBuffer(chunk), UnpooledByteBufAllocator.DEFAULT);
      }
      // the connection ends: an unfinished frame's bytes are let go
      framing.release();
      return out;
    });
    assertEquals(expected(stream, maxFrameBytes), framed);
  }

  /** Reads the whole stream at once: what the framing must deliver however it is cut. */
  private static List<String> expected(byte[] stream, int max) {
    List<String> out = new ArrayList<>();
    int from = 0;
    while (true) {
      int at = indexOf(stream, from);
      if (at < 0) {
        if (stream.length - from > max + DELIMITER.length) {
          out.add(TOO_LARGE);
        }
        return out;
      }
      int length = at - from;
      if (length > max) {
        out.add(TOO_LARGE);
        return out;
      }
      if (length > 0) {
        out.add(new String(Arrays.copyOfRange(stream, from, at), StandardCharsets.ISO_8859_1));
      }
      from = at + DELIMITER.length;
    }
  }

  private static int indexOf(byte[] s, int from) {
    for (int i = from; i + DELIMITER.length <= s.length; i++) {
      if (s[i] == DELIMITER[0] && s[i + 1] == DELIMITER[1]) {
        return i;
      }
    }
    return -1;
  }

  @Provide
  Arbitrary<Integer> limits() {
    return Arbitraries.of(1, 2, 3, 8, 64, 256, 4096);
  }

  @Provide
  Arbitrary<byte[]> streams() {
    Arbitrary<byte[]> piece = Arbitraries.frequencyOf(
      Tuple.of(4, Arbitraries.strings().withChars("abc{}").ofMaxLength(12).map(s -> s.getBytes(StandardCharsets.US_ASCII))),
      Tuple.of(4, Arbitraries.of("||", "|", "|||", "||||").map(s -> s.getBytes(StandardCharsets.US_ASCII))),
      Tuple.of(2, Fuzz.smallClientBytes()),
      Tuple.of(1, Arbitraries.integers().between(0, 4200).map(n -> {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 'x');
        return b;
      })));
    return piece.list().ofMaxSize(12).map(pieces -> {
      int n = pieces.stream().mapToInt(p -> p.length).sum();
      byte[] out = new byte[n];
      int at = 0;
      for (byte[] p : pieces) {
        System.arraycopy(p, 0, out, at, p.length);
        at += p.length;
      }
      return out;
    });
  }
}
