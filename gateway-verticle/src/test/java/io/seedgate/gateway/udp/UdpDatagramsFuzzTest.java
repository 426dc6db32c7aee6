package io.seedgate.gateway.udp;

import io.seedgate.gateway.Fuzz;
import io.seedgate.gateway.session.ClientMessage;
import io.vertx.core.buffer.Buffer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The UDP datagram decoding on any datagram: one trailing {@code ||} is taken off and nothing else changes, and a
 * datagram opens a session ({@link UdpDatagrams#carriesToken}) exactly when the session core would read a non-empty
 * token from it; neither ever throws.
 */
class UdpDatagramsFuzzTest {

  @Property
  void theSuffixIsTakenOffOnceAndATokenIsSeenExactlyWhenTheSessionWouldReadOne(@ForAll("datagrams") byte[] datagram) {
    Fuzz.bounded(() -> {
      Buffer message = UdpDatagrams.message(Buffer.buffer(datagram));
      byte[] m = message.getBytes();
      boolean suffixed = datagram.length >= 2 && datagram[datagram.length - 2] == '|'
        && datagram[datagram.length - 1] == '|';
      assertArrayEquals(suffixed ? Arrays.copyOf(datagram, datagram.length - 2) : datagram, m);

      boolean opens = UdpDatagrams.carriesToken(message);
      String token;
      try {
        token = ClientMessage.parse(Buffer.buffer(m)).token();
      } catch (IllegalArgumentException malformed) {
        token = null;
        if (opens) {
          // a string token with an action that is not a string: the session refuses it as malformed
          assertTrue(new io.vertx.core.json.JsonObject(Buffer.buffer(m)).getValue("token") instanceof String);
          return null;
        }
      }
      assertEquals(token != null && !token.isEmpty(), opens);
      return null;
    });
  }

  @Provide
  Arbitrary<byte[]> datagrams() {
    return Arbitraries.oneOf(Fuzz.clientBytes(), Fuzz.clientBytes().map(b -> {
      byte[] out = Arrays.copyOf(b, b.length + 2);
      out[b.length] = '|';
      out[b.length + 1] = '|';
      return out;
    }), Arbitraries.of("||", "|", "", "{\"token\":\"T\"}||", "{\"token\":\"\"}||", "{\"token\":1}")
      .map(s -> s.getBytes(StandardCharsets.UTF_8)));
  }
}
