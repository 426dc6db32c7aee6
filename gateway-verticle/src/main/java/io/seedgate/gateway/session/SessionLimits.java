package io.seedgate.gateway.session;

/**
 * What a session enforces on its client's messages by itself.
 *
 * @param maxMessageBytes largest client message
 * @param messageRate     the instance's message rate and burst, which every session's own {@link RateLimiter}
 *                        follows (it may change while sessions are open)
 */
record SessionLimits(int maxMessageBytes, RateLimiter.Rule messageRate) {
}
