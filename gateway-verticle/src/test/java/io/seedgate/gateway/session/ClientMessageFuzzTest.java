package io.seedgate.gateway.session;

import io.seedgate.gateway.Fuzz;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ClientMessage#parse} on anything a client can send: it returns a message or throws
 * {@link IllegalArgumentException} (then the session answers {@code malformed message}); nothing else escapes, and
 * no input takes longer than {@link Fuzz#TRY_LIMIT}.
 */
class ClientMessageFuzzTest {

  @Property
  void anyTextParsesOrIsRefusedAsMalformed(@ForAll("text") String raw) {
    check(raw);
  }

  @Property
  void anyBytesParseOrAreRefusedAsMalformed(@ForAll("bytes") byte[] raw) {
    check(Buffer.buffer(raw));
  }

  @Property
  void textAndItsUtf8BytesGetTheSameVerdict(@ForAll("text") String raw) {
    if (hasUnpairedSurrogate(raw) || nonAsciiInUnicodeEscape(raw)) {
      return;
    }
    boolean asText = check(raw);
    boolean asBytes = check(Buffer.buffer(raw.getBytes(StandardCharsets.UTF_8)));
    assertEquals(asText, asBytes, "text and binary frames are read alike: " + raw.codePoints()
      .mapToObj(Integer::toHexString).collect(java.util.stream.Collectors.joining(" ")));
  }

  @Example
  void jacksonsTextParserReadsANonAsciiEscapeDigitByItsLowByte() {
    assertTrue(check("{\"\\u\u01300000\":null}"), "documented leniency of the text parser");
  }

  @Example
  void utf16AndUtf32JsonAreMalformedAsBytes() throws Exception {
    String json = "{\"action\":\"move/up\"}";
    for (String charset : new String[] {"UTF-16BE", "UTF-16LE", "UTF-16", "UTF-32BE", "UTF-32LE"}) {
      assertFalse(check(Buffer.buffer(json.getBytes(charset))), charset + " is refused");
    }
    assertFalse(check(Buffer.buffer(new byte[] {0, '{', 0, '}'})), "the fuzzer's find: 00 7B 00 7D");
    assertTrue(check(Buffer.buffer(json.getBytes(StandardCharsets.UTF_8))));
  }

  @Example
  void hundredThousandOpenBracketsAreMalformedAtOnce() {
    String deep = "[".repeat(100_000);
    long start = System.nanoTime();
    assertThrows(IllegalArgumentException.class, () -> ClientMessage.parse(deep));
    assertThrows(IllegalArgumentException.class, () -> ClientMessage.parse(Buffer.buffer(deep)));
    assertThrows(IllegalArgumentException.class,
      () -> ClientMessage.parse("{\"action\":\"move/up\",\"x\":" + "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000)
        + "}"));
    assertFalse(System.nanoTime() - start > 2_000_000_000L, "refused quickly");
  }

  @Provide
  Arbitrary<String> text() {
    return Fuzz.clientText();
  }

  @Provide
  Arbitrary<byte[]> bytes() {
    return Fuzz.clientBytes();
  }

  /** Parses within the time bound; true when it is a message, false when refused as malformed. */
  private static boolean check(Object raw) {
    return Fuzz.bounded(() -> {
      ClientMessage m;
      try {
        m = ClientMessage.parse(raw);
      } catch (IllegalArgumentException malformed) {
        return false;
      }
      JsonObject data = new JsonObject(Buffer.buffer(m.data()));
      assertFalse(data.containsKey("token"), "token is taken out");
      assertFalse(data.containsKey("action"), "action is taken out");
      if (m.pingTime() != null) {
        Double.parseDouble(m.pingTime());
      }
      return true;
    });
  }

  /**
   * Whether a {@code \\u} escape has a non-ASCII character among its four digits: Jackson's text parser reads such a
   * character by its low byte (U+0130 as '0'), its byte parser refuses it. Harmless (the escape still yields one
   * character), but the verdicts differ, so such inputs are left out of the comparison.
   */
  private static boolean nonAsciiInUnicodeEscape(String s) {
    for (int i = s.indexOf("\\u"); i >= 0; i = s.indexOf("\\u", i + 1)) {
      for (int k = i + 2; k < Math.min(s.length(), i + 6); k++) {
        if (s.charAt(k) > 0x7f) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean hasUnpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return true;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }
}
