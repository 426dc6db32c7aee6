package io.seedgate.gateway.resume;

/**
 * The {@code gateway.resume.*} settings a gateway instance's sessions follow, and the bound of a hand-over between
 * incarnations (not a setting).
 *
 * @param enabled           whether a client may ask for a resumable session
 * @param windowSeconds     how long a session whose connection dropped waits for its client to resume it
 * @param bufferBytes       payload bytes a session's replay buffer holds at most
 * @param handoverTimeoutMs how long the holder of a session being handed over to another incarnation waits for the
 *                          taker's marker and take, and then for its answer to the state, before it calls the
 *                          hand-over off or ends the session; {@value #HANDOVER_TIMEOUT_MS} ms but in tests
 */
public record ResumeSettings(boolean enabled, int windowSeconds, int bufferBytes, long handoverTimeoutMs) {

  /** The hand-over bound of every gateway instance. */
  public static final long HANDOVER_TIMEOUT_MS = 10_000;

  /** Resume turned off: no client gets a resumable session. */
  public static final ResumeSettings OFF = new ResumeSettings(false, 30, 262_144);

  /** The settings with the hand-over bound of {@value #HANDOVER_TIMEOUT_MS} ms. */
  public ResumeSettings(boolean enabled, int windowSeconds, int bufferBytes) {
    this(enabled, windowSeconds, bufferBytes, HANDOVER_TIMEOUT_MS);
  }

  /** The window in milliseconds. */
  public long windowMs() {
    return windowSeconds * 1000L;
  }
}
