package io.seedgate.gateway.session;

import io.seedgate.common.LogContext;
import io.seedgate.common.BurstLog;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.lifecycle.Incarnation;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The ends of a gateway instance's authenticated sessions, recorded by the router (save, offline, off the map), again
 * and again while it cannot ({@link #RETRY_FIRST_MS} to {@link #RETRY_MAX_MS} apart, for {@link #RETRY_FOR_MS} at
 * most, the last attempt once the instance stops): a session that ended while Redis was away (a restart) was never
 * recorded, and its player stayed listed online, on its map and unsaved for as long as the node ran. Ending twice is
 * harmless: the router ends only a session that still owns its player. Used on the instance's event loop.
 */
final class SessionEnds {

  private static final Logger LOG = LoggerFactory.getLogger(SessionEnds.class);
  /** An end the router could not record is asked again after this, then after twice as long, ... */
  static final long RETRY_FIRST_MS = 250;
  /** ... up to this between two attempts ... */
  static final long RETRY_MAX_MS = 2_000;
  /** ... for this long at most (then, and once the instance stops, it is left in the index for a router's sweep). */
  static final long RETRY_FOR_MS = 10 * 60_000;

  private final SessionRouter router;
  private final Incarnation incarnation;
  private final Vertx vertx;
  private final LongSupplier clock;
  /** Ends asked of the router and not answered yet: what a stop waits for besides the open sessions. */
  private final Set<Future<Void>> inFlight = new HashSet<>();
  /** While Redis is away every session end fails: one WARN a minute for them, not one per player. */
  private final BurstLog failures = new BurstLog(LOG, 60_000);
  private boolean stopping;

  /**
   * @param router      where ends are recorded
   * @param incarnation the instance's run, named in each end
   * @param vertx       for the timers between attempts
   * @param clock       the time in milliseconds
   */
  SessionEnds(SessionRouter router, Incarnation incarnation, Vertx vertx, LongSupplier clock) {
    this.router = router;
    this.incarnation = incarnation;
    this.vertx = vertx;
    this.clock = clock;
  }

  /** Has the end of the session recorded; completes once it is, fails once given up. */
  Future<Void> record(Session s, ErrorCode reason) {
    JsonObject body = new JsonObject().put("player", s.playerId()).put("map", s.mapId()).put("token", s.token())
      .put("node", incarnation.nodeId()).put("incarnation", incarnation.id()).put("session", s.id())
      .put("reason", reason.name());
    Promise<Void> done = Promise.promise();
    attempt(s, body, done, RETRY_FIRST_MS, clock.getAsLong() + RETRY_FOR_MS);
    Future<Void> recorded = done.future();
    inFlight.add(recorded);
    recorded.onComplete(ar -> inFlight.remove(recorded));
    return recorded;
  }

  /** The instance stops: an end that fails from now on is not asked again. */
  void stopRetrying() {
    stopping = true;
  }

  /** The ends not answered yet (a copy). */
  List<Future<Void>> inFlight() {
    return new ArrayList<>(inFlight);
  }

  private void attempt(Session s, JsonObject body, Promise<Void> done, long retryMs, long giveUpAt) {
    router.sessionEnded(body).onComplete(ar -> {
      if (ar.succeeded()) {
        failures.recovered("[incarnation: {}] session ends recorded again", incarnation);
        done.complete();
      } else if (stopping || clock.getAsLong() + retryMs > giveUpAt) {
        try (LogContext ignored = LogContext.player(s.playerId(), s.id())) {
          failures.failed("[session: {}, player: {}] end of session not recorded, the player left listed online "
            + "for a router's sweep once this incarnation ends: {}", s.id(), s.playerId(), ar.cause());
        }
        done.fail(ar.cause());
      } else {
        try (LogContext ignored = LogContext.player(s.playerId(), s.id())) {
          failures.failed("[session: {}, player: {}] end of session not recorded yet, asking again until it is: {}",
            s.id(), s.playerId(), ar.cause());
        }
        vertx.setTimer(retryMs, t -> attempt(s, body, done, Math.min(2 * retryMs, RETRY_MAX_MS), giveUpAt));
      }
    });
  }
}
