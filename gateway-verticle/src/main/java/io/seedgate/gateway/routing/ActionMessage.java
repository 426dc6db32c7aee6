package io.seedgate.gateway.routing;

/**
 * What the {@link ActionPublisher} takes from a client message: the session core's {@code ClientMessage}
 * implements it, so that routing does not depend on the session core.
 */
public interface ActionMessage {

  /** The action as the client sent it ({@code move/up}); never null in a message that is published. */
  String action();

  /** The client's other fields as a JSON object in UTF-8, passed on to the service as they are. */
  byte[] data();

  /** {@code pingTime} as the client wrote it when it is a number, else null. */
  String pingTime();
}
