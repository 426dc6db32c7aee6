package io.seedgate.gateway.routing;

import io.seedgate.gateway.Fuzz;
import io.seedgate.gateway.session.ClientMessage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The envelope written byte by byte is the JSON object the contract describes: for any message a client may send and
 * any session strings (quotes, backslashes, control and non-ASCII characters in ids), it parses as JSON and holds
 * exactly the fields built the plain way, with JsonObject, and sent as its encoding.
 */
class EnvelopeTest {

  @Example
  void theDocumentedExample() {
    ClientMessage m = ClientMessage.parse("{\"token\":\"1A2B\",\"action\":\"move/up\",\"pingTime\":0.23,"
      + "\"map\":{\"instanceID\":12345}}");
    byte[] bytes = Envelope.of(Envelope.parts("5", "1", "1A2B", "node-a", "node-a-3", "1.2.3.4"),
      Action.parse(m.action()), m, 1764134400123L);
    assertEquals("{\"player\":\"5\",\"map\":\"1\",\"token\":\"1A2B\",\"model\":\"move\",\"method\":\"up\","
        + "\"action\":\"move/up\",\"data\":{\"pingTime\":0.23,\"map\":{\"instanceID\":12345}},\"node\":\"node-a\","
        + "\"session\":\"node-a-3\",\"ip\":\"1.2.3.4\",\"ts\":1764134400123}", new String(bytes,
      java.nio.charset.StandardCharsets.UTF_8));
    assertEquals("0.23", m.pingTime());
  }

  @Property
  void anyMessageAndAnySessionMakeTheSameEnvelopeAsJsonObject(@ForAll("messages") String raw,
                                                              @ForAll("ids") String player, @ForAll("ids") String map,
                                                              @ForAll("ids") String token, @ForAll("ids") String ip) {
    ClientMessage m;
    JsonObject plain;
    try {
      m = ClientMessage.parse(raw);
      plain = new JsonObject(raw);
    } catch (IllegalArgumentException | io.vertx.core.json.DecodeException refused) {
      return;
    }
    Action action = m.action() == null ? null : Action.parse(m.action());
    if (action == null) {
      return;
    }
    plain.remove("token");
    plain.remove("action");
    long ts = System.currentTimeMillis();
    JsonObject expected = new JsonObject().put("player", player).put("map", map).put("token", token)
      .put("model", action.model()).put("method", action.method()).put("action", m.action()).put("data", plain)
      .put("node", "node-\"x\"").put("session", "s-1").put("ip", ip).put("ts", ts);
    byte[] envelope = Envelope.of(Envelope.parts(player, map, token, "node-\"x\"", "s-1", ip), action, m, ts);
    // compared as services read them: what JsonObject would have sent (its encoding writes a number too large for a
    // double, parsed as Infinity, as the string "Infinity"), against what is written
    expected = new JsonObject(expected.encode());
    JsonObject actual = new JsonObject(Buffer.buffer(envelope));
    if (!expected.equals(actual)) {
      throw new AssertionError("envelope differs:\n  expected " + printable(expected.encode()) + "\n  written  "
        + printable(new String(envelope, java.nio.charset.StandardCharsets.UTF_8)));
    }
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints().forEach(c -> b.append(c >= 0x20 && c < 0x7f ? Character.toString(c) : String.format("\\u{%x}", c)));
    return b.toString();
  }

  @Provide
  Arbitrary<String> messages() {
    return Arbitraries.oneOf(Fuzz.clientText(),
      Arbitraries.of("move/up", "api", "/", "api/load", "x_y/z-1").flatMap(a -> Fuzz.json(3).map(extra ->
        "{\"action\":\"" + a + "\",\"pingTime\":0.5,\"extra\":" + extra + "}")));
  }

  /**
   * Session strings as they reach a session: from Redis or a verified JWT, so always encodable as UTF-8 (a lone
   * surrogate has no UTF-8 form; JsonObject would keep it, the envelope writes '?').
   */
  @Provide
  Arbitrary<String> ids() {
    return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(12),
      Arbitraries.strings().withChars("\"\\/\u0000\u001f\u00e9\u2028a1").ofMaxLength(8))
      .filter(s -> s.equals(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)));
  }
}
