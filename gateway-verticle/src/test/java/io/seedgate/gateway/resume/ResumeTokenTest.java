package io.seedgate.gateway.resume;

import org.junit.jupiter.api.Test;

import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResumeTokenTest {

  private static final String SESSION = "gw-1.lq2x3abcd1z2k-1f";

  @Test
  void encodesAndParsesBackAndNamesTheIncarnation() {
    ResumeToken t = ResumeToken.generate(SESSION);
    String wire = t.encode();
    assertTrue(wire.startsWith(SESSION + "."));
    ResumeToken parsed = ResumeToken.parse(wire);
    assertEquals(t, parsed);
    assertEquals("gw-1.lq2x3abcd1z2k", parsed.incarnationId());
    assertTrue(t.matches(parsed));
    assertTrue(Base64.getUrlDecoder().decode(t.secret()).length >= 16);
    assertFalse(t.toString().contains(t.secret()), "the secret stays out of logs");
  }

  @Test
  void secretsDifferAndAWrongSecretOrSessionDoesNotMatch() {
    ResumeToken a = ResumeToken.generate(SESSION);
    ResumeToken b = ResumeToken.generate(SESSION);
    assertNotEquals(a.secret(), b.secret());
    assertFalse(a.matches(b));
    assertFalse(a.matches(new ResumeToken("gw-1.lq2x3abcd1z2k-20", a.secret())));
    assertFalse(a.matches(null));
  }

  @Test
  void garbageIsNotAToken() {
    assertNull(ResumeToken.parse(null));
    assertNull(ResumeToken.parse(""));
    assertNull(ResumeToken.parse("no-dot-at-all"));
    assertNull(ResumeToken.parse(SESSION + "."));
    assertNull(ResumeToken.parse(SESSION + ".short"), "a secret of fewer than 16 bytes");
    assertNull(ResumeToken.parse(SESSION + ".!!!!!!!!!!!!!!!!!!!!!!!!"), "not base64url");
    assertNull(ResumeToken.parse("nodot-1." + ResumeToken.generate("x").secret()), "a session id with no dot");
    assertNull(ResumeToken.parse("x".repeat(300) + ".a.b"));
  }
}
