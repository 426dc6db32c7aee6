package io.seedgate.gateway.routing;

/**
 * What the {@link ActionPublisher} needs of a session that sends an action: who sends it (the envelope's fields) and
 * a place to keep the envelope's {@link Envelope.Parts} between its actions. The session core's {@code Session}
 * implements it, so that routing does not depend on the session core.
 */
public interface Sender {

  /** The session's id. */
  String id();

  /** The 2021 token the session authenticated with. */
  String token();

  String playerId();

  /** The map the player is on, or null. */
  String mapId();

  /** The client's IP address, or {@code ""}. */
  String remoteIp();

  /** The parts the publisher cached on the session, or null. */
  Envelope.Parts envelopeParts();

  /** Caches the parts for the session's next actions (the publisher makes new ones when the map changed). */
  void envelopeParts(Envelope.Parts parts);
}
