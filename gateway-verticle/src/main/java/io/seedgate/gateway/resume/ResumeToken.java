package io.seedgate.gateway.resume;

import io.seedgate.common.lifecycle.Incarnation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * What a client presents to resume its session: {@code <session id>.<secret>}. The session id names the incarnation
 * that holds the session ({@code <node.id>.<start id>-<n>}: node ids hold no dot, so the id holds exactly one); the
 * secret is {@value #SECRET_BYTES} random bytes in base64url without padding, compared in constant time.
 *
 * @param sessionId the session's id
 * @param secret    the secret, base64url
 */
public record ResumeToken(String sessionId, String secret) {

  /** Random bytes of a secret. */
  public static final int SECRET_BYTES = 18;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  /** Longer tokens are not looked at: session ids are short. */
  private static final int MAX_LENGTH = 256;

  /** A new token for the session, with a fresh secret. */
  public static ResumeToken generate(String sessionId) {
    byte[] secret = new byte[SECRET_BYTES];
    RANDOM.nextBytes(secret);
    return new ResumeToken(sessionId, ENCODER.encodeToString(secret));
  }

  /** The token a client presented, or {@code null} when it is not of the form {@code <session id>.<secret>}. */
  public static ResumeToken parse(String presented) {
    if (presented == null || presented.length() > MAX_LENGTH) {
      return null;
    }
    int dot = presented.lastIndexOf('.');
    if (dot <= 0 || dot == presented.length() - 1 || presented.indexOf('.') == dot) {
      return null;
    }
    String secret = presented.substring(dot + 1);
    try {
      if (DECODER.decode(secret).length < SECRET_BYTES) {
        return null;
      }
    } catch (IllegalArgumentException e) {
      return null;
    }
    return new ResumeToken(presented.substring(0, dot), secret);
  }

  /** The id of the incarnation holding the session: its id without {@code -<n>}. */
  public String incarnationId() {
    return Incarnation.idOfSession(sessionId);
  }

  /** Whether the presented token is this one: same session, same secret (compared in constant time). */
  public boolean matches(ResumeToken presented) {
    return presented != null && sessionId.equals(presented.sessionId())
      & MessageDigest.isEqual(secret.getBytes(StandardCharsets.US_ASCII),
      presented.secret().getBytes(StandardCharsets.US_ASCII));
  }

  /** {@code <session id>.<secret>}, as the client is given it. */
  public String encode() {
    return sessionId + "." + secret;
  }

  /** Keeps the secret out of logs. */
  @Override
  public String toString() {
    return sessionId + ".***";
  }
}
