package io.seedgate.gateway.session;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.RedisKeys;
import io.seedgate.gateway.delivery.DeliverySubscriber;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Commands from the router for the sessions of a gateway instance: {@code kick} (closed with the reason given when it
 * is a fatal one, else {@code kicked}) and {@code set-map} (the session's map deliveries follow the player). A
 * command for a session not on this instance is ignored. Used on the instance's event loop.
 */
final class SessionCommands {

  private static final Logger LOG = LoggerFactory.getLogger(SessionCommands.class);

  private final SessionIndex index;
  private final DeliverySubscriber subscriber;

  SessionCommands(SessionIndex index, DeliverySubscriber subscriber) {
    this.index = index;
    this.subscriber = subscriber;
  }

  /** Carries out {@code {"type","session",...}} when the session is here. */
  void command(JsonObject command) {
    Session s = index.byId(command.getString("session", ""));
    if (s == null) {
      return;
    }
    switch (command.getString("type", "")) {
      case "kick" -> s.fail(kickReason(command.getString("reason", ErrorCode.KICKED.name())));
      case "set-map" -> moveToMap(s, command.getString("map"));
      default -> LOG.warn("[session: {}] unknown session command ignored: {}", s.id(), command.encode());
    }
  }

  private static ErrorCode kickReason(String name) {
    ErrorCode reason;
    try {
      reason = ErrorCode.valueOf(name);
    } catch (IllegalArgumentException e) {
      reason = ErrorCode.KICKED;
    }
    return reason.fatal() ? reason : ErrorCode.KICKED;
  }

  private void moveToMap(Session s, String map) {
    if (map == null || !s.online() || map.equals(s.mapId())) {
      return;
    }
    String old = s.mapId();
    index.moveToMap(s, map);
    subscriber.subscribe(List.of(RedisKeys.mapChannel(map)))
      .onFailure(e -> s.fail(ErrorCode.UNAVAILABLE));
    subscriber.unsubscribe(List.of(RedisKeys.mapChannel(old)));
  }
}
