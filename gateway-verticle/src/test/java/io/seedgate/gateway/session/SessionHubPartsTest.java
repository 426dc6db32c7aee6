package io.seedgate.gateway.session;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.lifecycle.Incarnation;
import io.seedgate.gateway.session.SessionTest.RecordingChannel;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parts of a {@link SessionHub}, each alone with real sessions on recording channels: the index and the delivery
 * dispatch over it, the sweeper, the ends and their retries, the shutdown. The channels tell their sessions at once
 * when closed, as a transport does.
 */
class SessionHubPartsTest {

  private final SessionIndex index = new SessionIndex();
  private final long[] clock = {1_000_000};
  private final List<String> ended = new ArrayList<>();
  private final SessionLifecycle lifecycle = new SessionLifecycle() {
    @Override
    public Future<Void> activate(Session s) {
      index.addPlayer(s);
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> ended(Session s, ErrorCode reason) {
      index.remove(s);
      index.removePlayer(s);
      ended.add(s.playerId() + " " + reason);
      return Future.succeededFuture();
    }

    @Override
    public void forget(Session s) {
      index.remove(s);
    }
  };
  private final SessionCollaborators with = new SessionCollaborators(
    (s, token) -> token.startsWith("slow")
      ? Promise.<JsonObject>promise().future()
      : Future.succeededFuture(new JsonObject().put("token", token).put("player", "p-" + token)
        .put("map", token.endsWith("b") ? "b" : "a")),
    new SessionTest.Actions(Set.of("move")), lifecycle, new SessionLatencies(), new HubCounters(),
    new ErrorMessages(), new SessionLimits(1000, new RateLimiter.Rule(1000, 1000)), () -> clock[0]);

  private RecordingChannel open(String token) {
    RecordingChannel channel = new RecordingChannel();
    Session s = new Session("s-" + token, channel, with);
    channel.session = s;
    index.add(s);
    if (token != null) {
      s.authenticateWith(token);
    }
    return channel;
  }

  @Test
  void deliveriesReachTheSessionsTheirChannelNames() {
    DeliveryDispatch dispatch = new DeliveryDispatch(index, "everyone");
    RecordingChannel a1 = open("1a");
    RecordingChannel a2 = open("2a");
    RecordingChannel b3 = open("3b");

    dispatch.dispatch(RedisKeys.mapChannel("a"), Buffer.buffer("{\"m\":\"a\"}"));
    dispatch.dispatch(RedisKeys.tokenChannel("3b"), Buffer.buffer("{\"t\":3}"));
    dispatch.dispatch(RedisKeys.playerChannel("p-2a"), Buffer.buffer("{\"p\":2}"));
    dispatch.dispatch("everyone", Buffer.buffer("{\"all\":1}"));
    dispatch.dispatch(RedisKeys.mapChannel("nowhere"), Buffer.buffer("{}"));
    dispatch.dispatch("someone-else", Buffer.buffer("{}"));

    assertEquals(List.of("{\"m\":\"a\"}", "{\"all\":1}"), a1.sent);
    assertEquals(List.of("{\"m\":\"a\"}", "{\"p\":2}", "{\"all\":1}"), a2.sent);
    assertEquals(List.of("{\"t\":3}", "{\"all\":1}"), b3.sent);
    assertEquals(7, dispatch.delivered());
  }

  @Test
  void aMapChangeMovesTheSessionsDeliveries() {
    DeliveryDispatch dispatch = new DeliveryDispatch(index, "everyone");
    RecordingChannel c = open("1a");
    index.moveToMap(c.session, "b");

    dispatch.dispatch(RedisKeys.mapChannel("a"), Buffer.buffer("{\"m\":\"a\"}"));
    dispatch.dispatch(RedisKeys.mapChannel("b"), Buffer.buffer("{\"m\":\"b\"}"));

    assertEquals(List.of("{\"m\":\"b\"}"), c.sent);
    assertEquals("b", c.session.mapId());
  }

  @Test
  void theIndexCountsSessionsAndPlayersAndKeepsANewerSessionOfAPlayer() {
    RecordingChannel first = open("1a");
    open(null);
    assertEquals(2, index.sessionCount());
    assertEquals(1, index.playerCount());

    Session replacement = new Session("s-again", new RecordingChannel(), with);
    index.add(replacement);
    replacement.authenticateWith("1a");
    assertFalse(index.current(first.session), "the player's newer session is the current one");

    first.session.onClosed();
    assertTrue(index.current(replacement), "the older session's end leaves the newer one indexed");
    assertEquals(replacement, index.byToken("1a"));
    assertEquals(2, index.sessionCount());
    assertEquals(1, index.playerCount());
  }

  @Test
  void theSweeperClosesTheIdleThoseWithoutATokenAndLoginsThatTakeTooLong() {
    SessionSweeper sweeper = new SessionSweeper(index, new LoginGate(1, 1, 20_000), 10_000, 5_000, () -> clock[0]);
    RecordingChannel active = open("1a");
    RecordingChannel waiting = open(null);
    RecordingChannel checking = open("slow");

    clock[0] += 5_000;
    sweeper.sweep();
    assertNull(waiting.closedFor, "exactly at the deadline is still in time");

    clock[0] += 1;
    sweeper.sweep();
    assertEquals(ErrorCode.AUTH_TIMEOUT, waiting.closedFor);
    assertNull(checking.closedFor, "a login under way has a grace");
    assertNull(active.closedFor);

    clock[0] += 5_000;
    sweeper.sweep();
    assertEquals(ErrorCode.IDLE_TIMEOUT, active.closedFor);

    clock[0] += SessionSweeper.LOGIN_GRACE_MS;
    sweeper.sweep();
    assertEquals(ErrorCode.UNAVAILABLE, checking.closedFor);
    assertEquals(1, with.counters().authFailures(ErrorCode.AUTH_TIMEOUT));
    assertEquals(1, with.counters().authFailures(ErrorCode.UNAVAILABLE));
  }

  @Test
  void anEndIsAskedAgainUntilTheRouterRecordsItAndNotOnceTheInstanceStops() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Router router = new Router(2);
      SessionEnds ends = new SessionEnds(router, Incarnation.start("parts"), vertx, System::currentTimeMillis);
      RecordingChannel c = open("1a");

      CompletableFuture<Void> recorded = new CompletableFuture<>();
      vertx.runOnContext(v -> ends.record(c.session, ErrorCode.KICKED).onComplete(ar -> recorded.complete(null)));
      recorded.get(10, TimeUnit.SECONDS);
      assertEquals(3, router.ends.size(), "two refusals, then recorded");
      assertEquals("KICKED", router.ends.get(2).getString("reason"));
      assertEquals("p-1a", router.ends.get(2).getString("player"));

      router.refusals = Integer.MAX_VALUE;
      CompletableFuture<Boolean> givenUp = new CompletableFuture<>();
      vertx.runOnContext(v -> {
        ends.stopRetrying();
        ends.record(c.session, ErrorCode.SERVER_STOPPED).onComplete(ar -> givenUp.complete(ar.failed()));
      });
      assertTrue(givenUp.get(10, TimeUnit.SECONDS), "failed once refused while stopping");
      assertEquals(4, router.ends.size(), "asked once");
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void aShutdownClosesEverySessionWithItsErrorAndWaitsForTheirEnds() {
    Router router = new Router(0);
    SessionEnds ends = new SessionEnds(router, Incarnation.start("parts"), null, () -> clock[0]);
    SessionShutdown shutdown = new SessionShutdown(index, ends, new ErrorMessages());
    RecordingChannel player = open("1a");
    RecordingChannel stranger = open(null);
    Session playerSession = player.session;
    Session strangerSession = stranger.session;
    player.session = null;
    stranger.session = null;

    Future<Void> done = shutdown.drain();

    String reconnect = "{\"error\":\"server stopped\",\"reconnect\":true}";
    assertEquals(List.of(reconnect), player.sent);
    assertEquals(List.of(reconnect), stranger.sent);
    assertEquals(ErrorCode.SERVER_STOPPED, player.closedFor);
    assertTrue(shutdown.stopping());
    assertFalse(done.isComplete(), "not before the sessions are gone");

    playerSession.onClosed();
    assertFalse(done.isComplete(), "not before every session is closed");
    strangerSession.onClosed();
    assertTrue(done.succeeded());
    assertEquals(List.of("p-1a SERVER_STOPPED"), ended);

    shutdown.closeAll(ErrorCode.KICKED);
    RecordingChannel late = open(null);
    shutdown.refuse(late.session);
    assertEquals(List.of(reconnect), late.sent, "the first error given stays");
  }

  /** A router that refuses the first few ends it is asked to record, and records what it was asked. */
  static final class Router implements SessionRouter {
    final List<JsonObject> ends = new ArrayList<>();
    int refusals;

    Router(int refusals) {
      this.refusals = refusals;
    }

    @Override
    public Future<JsonObject> authenticate(JsonObject login) {
      return Future.failedFuture("not here");
    }

    @Override
    public Future<Void> sessionEnded(JsonObject end) {
      ends.add(end);
      return refusals-- > 0 ? Future.failedFuture("redis away") : Future.succeededFuture();
    }

    @Override
    public Future<JsonObject> reassert(JsonObject live) {
      return Future.failedFuture("not here");
    }

    @Override
    public Future<Boolean> move(JsonObject moved) {
      return Future.failedFuture("not here");
    }
  }
}
