package io.seedgate.gateway.resume;

/**
 * The {@code gateway.resume.*} settings a gateway instance's sessions follow.
 *
 * @param enabled       whether a client may ask for a resumable session
 * @param windowSeconds how long a session whose connection dropped waits for its client to resume it
 * @param bufferBytes   payload bytes a session's replay buffer holds at most
 */
public record ResumeSettings(boolean enabled, int windowSeconds, int bufferBytes) {

  /** Resume turned off: no client gets a resumable session. */
  public static final ResumeSettings OFF = new ResumeSettings(false, 30, 262_144);

  /** The window in milliseconds. */
  public long windowMs() {
    return windowSeconds * 1000L;
  }
}
