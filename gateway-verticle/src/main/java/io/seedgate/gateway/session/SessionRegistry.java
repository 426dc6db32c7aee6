package io.seedgate.gateway.session;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.RedisKeys;
import io.seedgate.gateway.delivery.DeliverySubscriber;
import io.vertx.core.Future;

import java.util.List;

/**
 * Keeps the books of a gateway instance's sessions as they come and go: admitted under the node's connection limits
 * (or refused, also while the instance stops), indexed and subscribed to their delivery channels once authenticated,
 * un-indexed, un-counted and their end recorded when they end. The {@link SessionLifecycle} of every session of the
 * instance; used on its event loop.
 */
final class SessionRegistry implements SessionLifecycle {

  private final SessionIndex index;
  private final ConnectionLimits connections;
  private final HubCounters counters;
  private final DeliverySubscriber subscriber;
  private final SessionEnds ends;
  private final SessionShutdown shutdown;

  SessionRegistry(SessionIndex index, ConnectionLimits connections, HubCounters counters,
                  DeliverySubscriber subscriber, SessionEnds ends, SessionShutdown shutdown) {
    this.index = index;
    this.connections = connections;
    this.counters = counters;
    this.subscriber = subscriber;
    this.ends = ends;
    this.shutdown = shutdown;
  }

  /**
   * A new session: indexed and counted, then refused (an error and a close) when the instance stops or the node's
   * limits do not admit its connection.
   */
  void admit(Session s) {
    index.add(s);
    counters.opened(s.transportSlot());
    if (shutdown.stopping()) {
      shutdown.refuse(s);
    } else if (!connections.tryAcquire(s.remoteIp())) {
      s.fail(ErrorCode.TOO_MANY_CONNECTIONS);
    } else {
      s.counted(true);
      s.countedAsPending(true);
    }
  }

  @Override
  public Future<Void> activate(Session s) {
    if (s.countedAsPending()) {
      s.countedAsPending(false);
      connections.authenticated(s.remoteIp());
    }
    index.addPlayer(s);
    return subscriber.subscribe(channelsOf(s));
  }

  @Override
  public Future<Void> ended(Session s, ErrorCode reason) {
    forget(s);
    index.removePlayer(s);
    subscriber.unsubscribe(channelsOf(s));
    return ends.record(s, reason);
  }

  @Override
  public void forget(Session s) {
    if (index.remove(s)) {
      counters.closed(s.transportSlot());
      if (s.counted()) {
        s.counted(false);
        connections.release(s.remoteIp(), s.countedAsPending());
        s.countedAsPending(false);
      }
    }
  }

  /**
   * A resumable session moved to another connection (or incarnation): un-indexed and un-counted, but neither
   * unsubscribed (its channels go with it) nor ended.
   */
  void retire(Session s) {
    forget(s);
    index.removePlayer(s);
  }

  /**
   * The session of a new connection imported a resumable session's state (its id, identity, replay buffer): indexed
   * under its new id and as the player's, counted as authenticated. Its channels are the imported session's.
   */
  void adopt(Session s, String previousId) {
    index.rekey(s, previousId);
    if (s.countedAsPending()) {
      s.countedAsPending(false);
      connections.authenticated(s.remoteIp());
    }
    index.addPlayer(s);
  }

  private static List<String> channelsOf(Session s) {
    return List.of(RedisKeys.tokenChannel(s.token()), RedisKeys.playerChannel(s.playerId()),
      RedisKeys.mapChannel(s.mapId()));
  }
}
