package io.seedgate.gateway.session;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.lifecycle.Bounded;
import io.seedgate.common.lifecycle.Incarnation;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Records every live session of a gateway instance in Redis again, after Redis lost them (see
 * {@link io.seedgate.gateway.lease.IncarnationLease#onLost}): through the router, {@value #CONCURRENCY} at a time. A
 * session whose player logged in elsewhere meanwhile is closed ({@code logged in elsewhere}); the sessions the router
 * could not record are tried again, up to {@value #ATTEMPTS} times in all, {@value #RETRY_MS} ms apart, then closed
 * ({@code service unavailable}). Used on the instance's event loop.
 */
final class SessionReassertion {

  private static final Logger LOG = LoggerFactory.getLogger(SessionReassertion.class);
  static final int CONCURRENCY = 64;
  static final int ATTEMPTS = 5;
  static final long RETRY_MS = 2_000;

  private final SessionIndex index;
  private final SessionRouter router;
  private final Incarnation incarnation;
  private final Vertx vertx;

  SessionReassertion(SessionIndex index, SessionRouter router, Incarnation incarnation, Vertx vertx) {
    this.index = index;
    this.router = router;
    this.incarnation = incarnation;
    this.vertx = vertx;
  }

  /** Records the authenticated sessions again; completes with the first round's outcome. */
  Future<Bounded.Outcome> reassert() {
    return reassert(index.players(), 1);
  }

  private Future<Bounded.Outcome> reassert(List<Session> sessions, int attempt) {
    List<Session> failed = new ArrayList<>();
    return Bounded.forEach(sessions, CONCURRENCY, s -> {
      if (!s.active() || !index.current(s)) {
        return Future.succeededFuture();
      }
      JsonObject body = new JsonObject().put("player", s.playerId()).put("map", s.mapId()).put("token", s.token())
        .put("node", incarnation.nodeId()).put("incarnation", incarnation.id()).put("session", s.id())
        .put("ip", s.remoteIp());
      return router.reassert(body)
        .onSuccess(reply -> {
          if (!reply.getBoolean("kept", true)) {
            s.fail(ErrorCode.REPLACED);
          }
        })
        .onFailure(e -> failed.add(s));
    }).onSuccess(outcome -> {
      if (failed.isEmpty()) {
        LOG.info("[incarnation: {}] {} live sessions recorded in Redis again", incarnation, outcome.succeeded());
      } else if (attempt < ATTEMPTS) {
        LOG.warn("[incarnation: {}] {} live sessions not recorded in Redis again, retrying in {} ms", incarnation,
          failed.size(), RETRY_MS);
        vertx.setTimer(RETRY_MS, t -> reassert(failed, attempt + 1));
      } else {
        LOG.error("[incarnation: {}] {} live sessions not recorded in Redis again after {} attempts: closing them",
          incarnation, failed.size(), attempt);
        failed.forEach(s -> s.fail(ErrorCode.UNAVAILABLE));
      }
    });
  }
}
