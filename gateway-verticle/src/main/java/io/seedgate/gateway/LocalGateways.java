package io.seedgate.gateway;

import io.seedgate.gateway.session.SessionHub;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The gateway instances running on a Vert.x instance, for node-wide figures (sessions, messages received from
 * Redis, deliveries) read by metrics and tests. Reads are from any thread and may lag by a message or two.
 */
public final class LocalGateways {

  private static final Map<Vertx, List<SessionHub>> HUBS = new WeakHashMap<>();

  private LocalGateways() {
  }

  static synchronized void add(Vertx vertx, SessionHub hub) {
    HUBS.computeIfAbsent(vertx, v -> new CopyOnWriteArrayList<>()).add(hub);
  }

  static synchronized void remove(Vertx vertx, SessionHub hub) {
    List<SessionHub> hubs = HUBS.get(vertx);
    if (hubs != null) {
      hubs.remove(hub);
    }
  }

  private static synchronized List<SessionHub> of(Vertx vertx) {
    return HUBS.getOrDefault(vertx, List.of());
  }

  /** Sessions open on this node, authenticated or not. */
  public static int sessions(Vertx vertx) {
    return of(vertx).stream().mapToInt(SessionHub::sessionCount).sum();
  }

  /** Pub/Sub messages this node received from Redis since start. */
  public static long receivedFromRedis(Vertx vertx) {
    return of(vertx).stream().mapToLong(h -> h.subscriber().received()).sum();
  }

  /** Messages handed to client sessions since start. */
  public static long delivered(Vertx vertx) {
    return of(vertx).stream().mapToLong(SessionHub::delivered).sum();
  }
}
