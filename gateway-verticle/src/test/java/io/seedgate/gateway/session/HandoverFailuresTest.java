package io.seedgate.gateway.session;

import io.seedgate.common.Addresses;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.Settings;
import io.seedgate.gateway.GatewayFixture;
import io.seedgate.gateway.GatewayVerticle;
import io.seedgate.gateway.LocalGateways;
import io.seedgate.gateway.RawSocket;
import io.seedgate.gateway.resume.ResumeReason;
import io.seedgate.gateway.resume.ResumeToken;
import io.seedgate.gateway.tcp.TcpTransport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.seedgate.testsupport.Await.await;
import static io.seedgate.testsupport.Eventually.eventually;
import static io.seedgate.testsupport.Eventually.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The failure paths of a resume handed over between gateway incarnations (issue 17, {@link HandoverGiver} and
 * {@link HandoverTaker}): a marker that never comes, a take never confirmed, a delivery connection (the taker's or
 * the holder's) that reconnects during the hand-over. Over real Redis, a real router and two real gateway
 * deployments in one Vert.x (two incarnations, each with its own TCP port): {@code quick}, whose hand-overs are
 * bounded by {@value #QUICK_MS} ms instead of 10 s, and {@code usual}. Clients are real TCP sockets. Where the other
 * side of a hand-over has to misbehave, the test speaks the event-bus protocol of {@link Addresses#resumeHandover} in
 * its place (a taker that never publishes its marker, never takes, never answers or answers not adopted), or lets
 * the real one run with one of its messages held or lost on the event bus; the delivery connection's reconnect is a
 * {@code CLIENT KILL}.
 */
class HandoverFailuresTest {

  private static final long QUICK_MS = 2_000;
  private static final String END = TcpTransport.DELIMITER;

  private static GatewayFixture fixture;
  private static Vertx vertx;
  private static GatewayVerticle usual;
  private static GatewayVerticle quick;
  /** The Redis client id of each instance's delivery connection (Pub/Sub), as now. */
  private static final Map<GatewayVerticle, Long> deliveryConnections = new HashMap<>();
  private final List<Handler<DeliveryContext<Object>>> interceptors = new ArrayList<>();
  /** The clients logged in by {@link #loggedIn}, closed after each test. */
  private static final List<Client> opened = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    String unique = UUID.randomUUID().toString().substring(0, 8);
    // Pub/Sub channels are not per database: channels of their own, out of reach of other tests' publishes
    fixture = GatewayFixture.start("hof", 1, Map.of(
      Settings.BROADCAST_CHANNEL.path(), "hof-broadcast-" + unique,
      Settings.CONTROL_CHANNEL.path(), "hof-control-" + unique));
    vertx = fixture.vertx;
    usual = fixture.gateways.get(0);
    Set<Long> before = pubSubConnections();
    assertEquals(2, before.size(), "the router's control connection and the usual instance's delivery connection");
    deliveryConnections.put(usual, Collections.max(before)); // the gateway started after the router
    List<GatewayVerticle> more = new ArrayList<>();
    fixture.deployGateways(1, more, QUICK_MS);
    quick = more.get(0);
    Set<Long> after = pubSubConnections();
    after.removeAll(before);
    assertEquals(1, after.size(), "the quick instance's delivery connection: " + after);
    deliveryConnections.put(quick, after.iterator().next());
  }

  @AfterAll
  static void stop() throws Exception {
    fixture.stop();
  }

  @AfterEach
  void removeInterceptorsAndCloseClients() {
    interceptors.forEach(i -> vertx.eventBus().removeOutboundInterceptor(i));
    opened.forEach(Client::close);
    opened.clear();
  }

  // --- 1. a prepared hand-over whose marker never comes ---

  /**
   * A taker prepares the hand-over, then neither publishes its marker nor takes: while the prepared hand-over stands
   * no other resume may take the session ({@code replaced}); once the holder's bound has passed it is called off,
   * the session stays with the holder, detached, and a resume on the other incarnation gets every delivery since
   * the client's last one, then live ones.
   */
  @Test
  void aPreparedHandOverWhoseMarkerNeverComesIsCalledOffAndAResumeElsewhereGetsEveryDelivery() throws Exception {
    Client held = loggedIn(quick, 2);
    long preparedAt = System.nanoTime();
    JsonObject prepared = prepare(held, UUID.randomUUID().toString());
    assertEquals(held.session(), prepared.getString("session"));
    assertEquals(held.player, prepared.getString("player"));
    assertNotNull(held.socket.readUntilClosed(5_000), "the holder let the client's connection go");
    awaitState(held, "detached");
    publish(held, 2);
    publish(held, 3);
    assertEquals(refused(ResumeReason.REPLACED), prepare(held, UUID.randomUUID().toString()),
      "a second hand-over of the session is refused while the first stands");

    try (Client c = Client.connect(usual.tcpPort())) {
      JsonObject[] resumed = new JsonObject[1];
      until("the resume on the other incarnation taken once the hand-over was called off", QUICK_MS + 5_000, () -> {
        c.send(resume(held));
        JsonObject answer = c.next();
        if (answer.containsKey("resumed")) {
          resumed[0] = answer.getJsonObject("resumed");
          return true;
        }
        assertEquals(failed(ResumeReason.REPLACED), answer, "refused only while the prepared hand-over stands");
        return false;
      });
      long calledOffAfter = millisSince(preparedAt);
      assertTrue(calledOffAfter >= QUICK_MS - 50, "not called off before its bound: " + calledOffAfter);
      assertEquals(2, resumed[0].getInteger("replayed"), "what was buffered while the hand-over stood");
      c.takeOver(held, resumed[0]);
      assertEquals(2, c.delivery().getInteger("n"));
      assertEquals(3, c.delivery().getInteger("n"));
      publish(c, 4);
      assertEquals(4, c.delivery().getInteger("n"), "live on the incarnation it resumed on");
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L), c.seqs, "every delivery once, in order");
    }
  }

  /**
   * A taker prepares and asks for the state, but its marker never comes: the take is answered {@code elsewhere}
   * once the holder's bound has passed, not before; the session stays with the holder and keeps buffering, and a
   * resume on the holder itself gets every delivery, those published after the call-off included.
   */
  @Test
  void aTakeWhoseMarkerNeverComesIsRefusedAtTheBoundAndTheSessionResumesOnItsHolder() throws Exception {
    Client held = loggedIn(quick, 2);
    String marker = UUID.randomUUID().toString();
    long preparedAt = System.nanoTime();
    prepare(held, marker);
    assertNotNull(held.socket.readUntilClosed(5_000), "the holder let the client's connection go");
    publish(held, 2);
    Future<Message<JsonObject>> take = take(held, marker, QUICK_MS + 5_000);
    assertEquals(refused(ResumeReason.ELSEWHERE), await(take).body(), "the take is refused: no marker came");
    assertTrue(millisSince(preparedAt) >= QUICK_MS - 50, "not before the bound: " + millisSince(preparedAt));
    awaitState(held, "detached");
    long deliveredBefore = quick.hub().delivered();
    publish(held, 3);
    publish(held, 4);
    until("both buffered by the holder", 5_000, () -> quick.hub().delivered() >= deliveredBefore + 2);

    try (Client c = Client.connect(quick.tcpPort())) {
      c.send(resume(held));
      JsonObject resumed = c.next().getJsonObject("resumed");
      assertNotNull(resumed, "resumed on its holder");
      assertEquals(3, resumed.getInteger("replayed"), "before and after the call-off");
      c.takeOver(held, resumed);
      for (int n = 2; n <= 4; n++) {
        assertEquals(n, c.delivery().getInteger("n"));
      }
      publish(c, 5);
      assertEquals(5, c.delivery().getInteger("n"));
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), c.seqs);
    }
  }

  // --- 2. a take never confirmed ---

  /**
   * A taker publishes its marker and takes the state (every delivery up to the marker in it), then answers
   * {@code {"adopted":false}}: the holder ends the session for good. The player is left neither online nor on its
   * map, nor in the holder's index; a resume of the session is answered {@code elsewhere}.
   */
  @Test
  void aStateAnsweredNotAdoptedEndsTheSessionOnTheHolderAndLeavesNoGhost() throws Exception {
    Client held = loggedIn(quick, 2);
    Message<JsonObject> state = takenByAStandIn(held);
    state.reply(new JsonObject().put("adopted", false));
    assertOffline(held, 5_000);
    awaitState(held, null);
    try (Client c = Client.connect(usual.tcpPort())) {
      c.send(resume(held));
      assertEquals(failed(ResumeReason.ELSEWHERE), c.next(), "the session ended for good");
    }
  }

  /**
   * Like {@link #aStateAnsweredNotAdoptedEndsTheSessionOnTheHolderAndLeavesNoGhost}, but the taker never answers:
   * the player stays online until the holder's bound has passed, then the session ends there for good, no ghost
   * left.
   */
  @Test
  void aStateNeverAnsweredEndsTheSessionOnTheHolderAtItsBoundAndLeavesNoGhost() throws Exception {
    Client held = loggedIn(quick, 2);
    takenByAStandIn(held);
    long takenAt = System.nanoTime();
    assertOnline(held, held.session(), held.incarnation());
    assertOffline(held, QUICK_MS + 5_000);
    assertTrue(millisSince(takenAt) >= QUICK_MS - 50, "not ended before the bound: " + millisSince(takenAt));
  }

  /**
   * A taker publishes its marker (the holder exports the session at it) but never takes: what came after the marker
   * went to the taker, so the holder ends the session for good at its bound, no ghost left.
   */
  @Test
  void aMarkerWithoutATakeEndsTheSessionOnTheHolderAtItsBoundAndLeavesNoGhost() throws Exception {
    Client held = loggedIn(quick, 2);
    String marker = UUID.randomUUID().toString();
    long preparedAt = System.nanoTime();
    prepare(held, marker);
    await(fixture.redis.send(Request.cmd(Command.PUBLISH).arg(RedisKeys.HANDOVER_CHANNEL).arg(marker)));
    awaitState(held, null);
    assertOnline(held, held.session(), held.incarnation());
    assertOffline(held, QUICK_MS + 5_000);
    assertTrue(millisSince(preparedAt) >= QUICK_MS - 50, "not ended before the bound: " + millisSince(preparedAt));
  }

  /**
   * The real taker adopts the state and has the router's directory name its session, but its {@code adopted}
   * answer is lost on the way: the holder ends the session for good at its bound, and the router ignores that end,
   * since the taker's session owns the player: the player stays online, on its map, in the taker's index, and gets
   * its deliveries.
   */
  @Test
  void aLostAdoptedAnswerEndsTheHoldersSessionButLeavesThePlayerWithTheTakersSession() throws Exception {
    Client held = loggedIn(quick, 2);
    intercept(dc -> {
      if (!(dc.message().body() instanceof JsonObject body && body.containsKey("adopted"))) {
        dc.next();
      }
    });
    Promise<Void> endRecorded = Promise.promise();
    String[] endReply = new String[1];
    intercept(dc -> {
      if (dc.message().body() instanceof JsonObject body && Addresses.SESSION_ENDED.equals(dc.message().address())
        && held.player.equals(body.getString("player"))) {
        endReply[0] = dc.message().replyAddress();
      } else if (endReply[0] != null && endReply[0].equals(dc.message().address())) {
        endRecorded.tryComplete();
      }
      dc.next();
    });
    publish(held, 2);

    try (Client c = Client.connect(usual.tcpPort())) {
      long resumeAt = System.nanoTime();
      c.send(resume(held));
      JsonObject resumed = c.next().getJsonObject("resumed");
      assertNotNull(resumed, "resumed on the other incarnation");
      c.takeOver(held, resumed);
      assertEquals(2, c.delivery().getInteger("n"));
      await(endRecorded.future(), Duration.ofMillis(QUICK_MS + 5_000));
      assertTrue(millisSince(resumeAt) >= QUICK_MS - 50, "the holder waited its bound for the answer");
      String session = ResumeToken.parse(c.resume).sessionId();
      assertOnline(held, session, ResumeToken.parse(c.resume).incarnationId());
      assertNull(hget(RedisKeys.nodeSessions(held.incarnation()), held.player), "gone from the holder's index");
      publish(c, 3);
      assertEquals(3, c.delivery().getInteger("n"), "still live on the taker");
      assertEquals(List.of(1L, 2L, 3L, 4L), c.seqs);
    }
  }

  // --- 3. a delivery connection reconnecting during the hand-over ---

  /**
   * The taker's delivery connection is killed in Redis once the marker reached both incarnations, while the take
   * is on its way (held on the event bus until the connection is back): what Redis published meanwhile is lost to
   * the taker, so the resume is refused {@code elsewhere} instead of resuming with a gap, and the holder, told it was
   * not adopted, ends the session for good, no ghost left.
   */
  @Test
  void aDeliveryConnectionReconnectDuringTheHandOverRefusesTheResumeElsewhere() throws Exception {
    Client held = loggedIn(usual, 2);
    Promise<Runnable> takeHeld = Promise.promise();
    String holder = Addresses.resumeHandover(held.incarnation());
    intercept(dc -> {
      if (!takeHeld.future().isComplete() && holder.equals(dc.message().address())
        && dc.message().body() instanceof JsonObject body
        && "take".equals(body.getString("type"))) {
        Context context = Vertx.currentContext();
        takeHeld.tryComplete(() -> context.runOnContext(v -> dc.next()));
      } else {
        dc.next();
      }
    });
    long receivedBefore = quick.hub().subscriber().received();

    try (Client c = Client.connect(quick.tcpPort())) {
      c.send(resume(held));
      Runnable release = await(takeHeld.future());
      until("the marker reached the holder, which let the session go", 5_000,
        () -> !await(LocalGateways.describe(vertx, held.session())).getBoolean("found"));
      until("the marker reached the taker", 5_000, () -> quick.hub().subscriber().received() > receivedBefore);
      publish(held, 2);
      killDeliveryConnection(quick, () -> publish(held, 3));
      release.run();
      assertEquals(failed(ResumeReason.ELSEWHERE), c.next(), "refused rather than resumed with a gap");
      assertOffline(held, 5_000);
    }
  }

  /**
   * The holder's delivery connection is killed in Redis once the hand-over is prepared, before the taker publishes
   * its marker (the holder's answer to {@code prepare} held on the event bus until the connection is back): a
   * delivery published meanwhile reached neither side, so the resume is refused {@code elsewhere} instead of
   * resuming with a gap, and the holder ends the session for good, no ghost left.
   */
  @Test
  void aHoldersDeliveryConnectionReconnectDuringTheHandOverRefusesTheResumeElsewhere() throws Exception {
    Client held = loggedIn(usual, 2);
    Promise<Runnable> preparedHeld = Promise.promise();
    intercept(dc -> {
      if (!preparedHeld.future().isComplete() && dc.message().body() instanceof JsonObject body
        && held.incarnation().equals(body.getString("incarnation")) && body.containsKey("token")
        && !body.containsKey("reason")) {
        Context context = Vertx.currentContext();
        preparedHeld.tryComplete(() -> context.runOnContext(v -> dc.next()));
      } else {
        dc.next();
      }
    });

    try (Client c = Client.connect(quick.tcpPort())) {
      c.send(resume(held));
      Runnable release = await(preparedHeld.future());
      killDeliveryConnection(usual, () -> publish(held, 2));
      publish(held, 3);
      release.run();
      assertEquals(failed(ResumeReason.ELSEWHERE), c.next(), "refused rather than resumed with a gap");
      assertOffline(held, 5_000);
    }
  }

  /**
   * A taker prepares and asks for the state, but its marker never comes, and meanwhile the holder's delivery
   * connection reconnects (a marker may be lost that way): at the bound the take is refused {@code elsewhere}, and
   * since deliveries may be missing from the session's buffer, the session ends for good rather than staying, no
   * ghost left.
   */
  @Test
  void aHoldersReconnectWhileItWaitsForTheMarkerEndsTheSessionAtTheBound() throws Exception {
    Client held = loggedIn(quick, 2);
    String marker = UUID.randomUUID().toString();
    prepare(held, marker);
    Future<Message<JsonObject>> take = take(held, marker, QUICK_MS + 5_000);
    killDeliveryConnection(quick, () -> publish(held, 2));
    assertEquals(refused(ResumeReason.ELSEWHERE), await(take).body());
    assertOffline(held, 5_000);
    try (Client c = Client.connect(usual.tcpPort())) {
      c.send(resume(held));
      assertEquals(failed(ResumeReason.ELSEWHERE), c.next(), "the session ended for good");
    }
  }

  // --- helpers ---

  /**
   * Kills the instance's delivery connection in Redis ({@code CLIENT KILL ID}), runs {@code whileDown} at once
   * (before its reconnect, at least {@code RedisLink}'s 50 ms later), and returns once it reconnected and
   * subscribed again.
   */
  private static void killDeliveryConnection(GatewayVerticle g, ThrowingRunnable whileDown) throws Exception {
    long before = reconnects(g);
    Set<Long> others = pubSubConnections();
    assertTrue(others.remove(deliveryConnections.get(g)), "the instance's delivery connection is there: " + others);
    await(fixture.redis.send(Request.cmd(Command.CLIENT).arg("KILL").arg("ID").arg(deliveryConnections.get(g))));
    whileDown.run();
    until("the delivery connection reconnected", 5_000, () -> reconnects(g) == before + 1);
    Set<Long> now = new HashSet<>();
    until("the delivery connection subscribed again", 5_000, () -> {
      now.clear();
      now.addAll(pubSubConnections());
      now.removeAll(others);
      return now.size() == 1;
    });
    deliveryConnections.put(g, now.iterator().next());
  }

  /** A step that may throw. */
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** Prepares the hand-over of the client's session as a taker would; the holder's answer. */
  private static JsonObject prepare(Client held, String marker) {
    return await(vertx.eventBus().<JsonObject>request(Addresses.resumeHandover(held.incarnation()),
      new JsonObject().put("type", "prepare").put("resume", held.resume).put("seq", held.lastSeq)
        .put("marker", marker))).body();
  }

  /** Asks for the state of a prepared hand-over as a taker would. */
  private static Future<Message<JsonObject>> take(Client held, String marker, long timeoutMs) {
    return vertx.eventBus().request(Addresses.resumeHandover(held.incarnation()), new JsonObject()
        .put("type", "take").put("marker", marker).put("to", new JsonObject().put("node", "stand-in")
          .put("incarnation", "stand-in.x").put("session", "stand-in.x-1")),
      new DeliveryOptions().setSendTimeout(timeoutMs));
  }

  /**
   * A stand-in taker: prepares, publishes its marker on {@link RedisKeys#HANDOVER_CHANNEL}, takes. The state
   * (checked: every delivery up to the marker, one published between prepare and marker included) is returned
   * unanswered.
   */
  private Message<JsonObject> takenByAStandIn(Client held) throws Exception {
    String marker = UUID.randomUUID().toString();
    prepare(held, marker);
    assertNotNull(held.socket.readUntilClosed(5_000), "the holder let the client's connection go");
    publish(held, 2);
    await(fixture.redis.send(Request.cmd(Command.PUBLISH).arg(RedisKeys.HANDOVER_CHANNEL).arg(marker)));
    Message<JsonObject> state = await(take(held, marker, 5_000));
    JsonObject body = state.body();
    assertEquals(held.session(), body.getString("session"), body.encode());
    assertEquals(3L, body.getLong("lastSeq"), "the delivery published before the marker is in the state");
    JsonArray entries = body.getJsonArray("entries");
    JsonObject last = entries.getJsonObject(entries.size() - 1);
    assertEquals(3L, last.getLong("seq"));
    assertEquals("{\"n\":2}", new String(java.util.Base64.getDecoder().decode(last.getString("payload"))));
    awaitState(held, null);
    return state;
  }

  /** Logs a resumable player in on the instance and has it get {@code deliveries} deliveries (n = 0, 1, ..). */
  private static Client loggedIn(GatewayVerticle on, int deliveries) throws Exception {
    String map = "hof-" + UUID.randomUUID().toString().substring(0, 8);
    String token = fixture.signIn(map);
    Client c = Client.connect(on.tcpPort());
    opened.add(c);
    c.token = token;
    c.map = map;
    c.player = hget(token, RedisKeys.F_ID);
    c.send(new JsonObject().put("token", token).put("action", "api/load").put("resume", true));
    JsonObject session = c.next().getJsonObject("session");
    assertNotNull(session, "the session message first");
    c.resume = session.getString("resume");
    for (int n = 0; n < deliveries; n++) {
      publish(c, n);
      assertEquals(n, c.delivery().getInteger("n"));
    }
    return c;
  }

  private static void publish(Client to, int n) throws Exception {
    fixture.publish(RedisKeys.tokenChannel(to.token), ("{\"n\":" + n + "}").getBytes());
  }

  /** Polls the session's state on this node ({@code null}: not on any instance). */
  private static void awaitState(Client held, String state) throws Exception {
    eventually(Duration.ofSeconds(5), () -> {
      JsonObject d = await(LocalGateways.describe(vertx, held.session()));
      assertEquals(state, d.getBoolean("found") ? d.getString("state") : null, d.encode());
    });
  }

  /** The player online through the session: directory, map, online shard, incarnation's index, not offline. */
  private static void assertOnline(Client p, String session, String incarnation) throws Exception {
    String owner = String.valueOf(get(RedisKeys.sessionOwner(p.player)));
    assertTrue(owner.endsWith("|" + session + "|" + p.token), "the directory names " + session + ": " + owner);
    assertNotNull(zscore(p), "on its map");
    assertEquals(p.player, hget(RedisKeys.onlineShard(p.token), p.token), "listed online");
    String indexed = hget(RedisKeys.nodeSessions(incarnation), p.player);
    assertTrue(indexed != null && indexed.startsWith(session + "|"), "in its incarnation's index: " + indexed);
    assertFalse(RedisKeys.ACTION_OFFLINE.equals(hget(p.token, RedisKeys.F_ACTION)), "not marked offline");
  }

  /** Within the time, the player is no longer online anywhere: no ghost of the holder's session. */
  private static void assertOffline(Client p, long withinMs) throws Exception {
    eventually(Duration.ofMillis(withinMs), () -> {
      assertNull(get(RedisKeys.sessionOwner(p.player)), "no directory entry");
      assertNull(zscore(p), "off its map");
      assertNull(hget(RedisKeys.onlineShard(p.token), p.token), "not listed online");
      assertNull(hget(RedisKeys.nodeSessions(p.incarnation()), p.player), "not in the holder's index");
      assertEquals(RedisKeys.ACTION_OFFLINE, hget(p.token, RedisKeys.F_ACTION), "marked offline");
    });
  }

  private static String get(String key) {
    Response r = await(fixture.redis.send(Request.cmd(Command.GET).arg(key)));
    return r == null ? null : r.toString();
  }

  private static String hget(String key, String field) {
    Response r = await(fixture.redis.send(Request.cmd(Command.HGET).arg(key).arg(field)));
    return r == null ? null : r.toString();
  }

  private static Response zscore(Client p) {
    return await(fixture.redis.send(Request.cmd(Command.ZSCORE).arg(RedisKeys.mapGeoSet(p.map)).arg(p.token)));
  }

  private static long reconnects(GatewayVerticle g) {
    return await(g.hub().onContext(() -> Future.succeededFuture(g.hub().subscriber().reconnects())));
  }

  /** The ids of the Pub/Sub connections to the fixture's database. */
  private static Set<Long> pubSubConnections() {
    String db = URI.create(fixture.config.get(Settings.REDIS_URL)).getPath().substring(1);
    String list = await(fixture.redis.send(Request.cmd(Command.CLIENT).arg("LIST").arg("TYPE").arg("pubsub")))
      .toString();
    Set<Long> ids = new HashSet<>();
    for (String line : list.split("\n")) {
      if ((" " + line + " ").contains(" db=" + db + " ")) {
        ids.add(Long.parseLong(line.substring(3, line.indexOf(' '))));
      }
    }
    return ids;
  }

  private void intercept(Handler<DeliveryContext<Object>> interceptor) {
    interceptors.add(interceptor);
    vertx.eventBus().addOutboundInterceptor(interceptor);
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  private static JsonObject resume(Client held) {
    return new JsonObject().put("resume", held.resume).put("seq", held.lastSeq);
  }

  private static JsonObject refused(ResumeReason reason) {
    return new JsonObject().put("refused", reason.wire());
  }

  private static JsonObject failed(ResumeReason reason) {
    return new JsonObject().put("error", "resume failed").put("reason", reason.wire());
  }

  /** A TCP client of a resumable session: what it has seen, checked delivery by delivery. */
  private static final class Client implements AutoCloseable {
    final RawSocket socket;
    final List<Long> seqs = new ArrayList<>();
    String token;
    String player;
    String map;
    String resume;
    long lastSeq;

    private Client(RawSocket socket) {
      this.socket = socket;
    }

    static Client connect(int port) {
      return new Client(RawSocket.connect(port));
    }

    /** The session the client's resume token names, and its incarnation. */
    String session() {
      return ResumeToken.parse(resume).sessionId();
    }

    String incarnation() {
      return ResumeToken.parse(resume).incarnationId();
    }

    void send(JsonObject message) {
      socket.write(message.encode() + END);
    }

    JsonObject next() {
      String m = socket.readUntil(END, 5_000);
      assertTrue(m.endsWith(END), "a message within 5 s: " + m);
      return new JsonObject(m.substring(0, m.length() - END.length()));
    }

    /** The next message, a delivery with the next sequence number: its payload. */
    JsonObject delivery() {
      JsonObject m = next();
      assertEquals(lastSeq + 1, m.getLong("seq", -1L), "the next sequence number: " + m.encode());
      lastSeq = m.getLong("seq");
      seqs.add(lastSeq);
      return m.getJsonObject("msg");
    }

    /** This connection resumed the other client's session: it carries on with its identity and what it saw. */
    void takeOver(Client from, JsonObject resumed) {
      assertEquals(from.lastSeq, resumed.getLong("seq"));
      token = from.token;
      player = from.player;
      map = from.map;
      resume = resumed.getString("resume");
      lastSeq = from.lastSeq;
      seqs.addAll(from.seqs);
    }

    @Override
    public void close() {
      socket.close();
    }
  }
}
