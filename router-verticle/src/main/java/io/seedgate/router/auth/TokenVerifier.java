package io.seedgate.router.auth;

import io.vertx.core.Future;

/** Checks one kind of token. */
public interface TokenVerifier {

  /** Whether this verifier is the one for this token (by its shape). */
  boolean accepts(String token);

  /**
   * Verifies the token.
   *
   * @return the identity; fails with a {@link io.seedgate.common.GatewayException} of code
   * {@code INVALID_TOKEN}, {@code TOKEN_EXPIRED} or {@code UNAVAILABLE}
   */
  Future<Identity> verify(String token);
}
