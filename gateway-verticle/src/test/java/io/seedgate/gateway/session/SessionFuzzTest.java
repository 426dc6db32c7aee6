package io.seedgate.gateway.session;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.seedgate.common.embedded.BackingServices;
import io.seedgate.common.redis.RedisLink;
import io.seedgate.gateway.Fuzz;
import io.seedgate.gateway.delivery.DeliverySubscriber;
import io.seedgate.gateway.routing.ActionPublisher;
import io.seedgate.router.RouterVerticle;
import io.seedgate.testsupport.RedisDatabase;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The session core's message path (what a WebSocket frame reaches: {@link Session#onMessage}) on arbitrary client
 * input, against a real router and a real Redis; only the client channel is a recording test double. Every input
 * ends, within {@link Fuzz#TRY_LIMIT}, in one of the documented outcomes: accepted (authenticated, or the action
 * handed to Redis), a non-fatal error sent, or a fatal error sent and the connection closed; nothing throws, and no
 * session is left behind.
 *
 * <p>Uses a Redis database of its own ({@link RedisDatabase#lease leased}), emptied at the end, so the fuzz's players
 * never reach the other tests' data.
 */
class SessionFuzzTest {

  private static final String SECRET = "fuzz-secret-0123456789-0123456789-abcdef";
  private static final int MAX_MESSAGE_BYTES = 65536;
  private static final Set<String> ERROR_TEXTS = new HashSet<>();
  private static final AtomicLong PLAYERS = new AtomicLong(System.nanoTime() % 1_000_000_000L);

  static {
    for (ErrorCode c : ErrorCode.values()) {
      ERROR_TEXTS.add(c.text());
    }
  }

  private static RedisDatabase database;
  private static Vertx vertx;
  private static Context context;
  private static SessionHub hub;
  private static RedisLink commands;
  private static RedisLink deliveries;
  private static JWTAuth jwt;
  private static RecordingChannel live;
  private static final Map<String, long[]> PROGRESS = new java.util.concurrent.ConcurrentHashMap<>();

  /** What the token of a first message is. */
  enum TokenKind { VALID_2021, VALID_JWT, EXPIRED_JWT, FORGED_JWT, UNSIGNED_JWT, UNKNOWN_2021, LONG, NOT_A_STRING, EMPTY }

  @BeforeContainer
  static void start() throws Exception {
    NodeConfig config = BackingServices.resolve(NodeConfig.defaults());
    database = RedisDatabase.lease(config.get(Settings.REDIS_URL), SessionFuzzTest.class.getSimpleName());
    String redisUrl = database.url();
    vertx = Vertx.vertx();
    config = config.with(Map.of(Settings.NODE_ID.path(), "fuzz-" + UUID.randomUUID().toString().substring(0, 6),
      Settings.REDIS_URL.path(), redisUrl, Settings.JWT_SECRET.path(), SECRET,
      Settings.ROLES.path(), new io.vertx.core.json.JsonArray(List.of("gateway", "router"))));
    await(vertx.deployVerticle(RouterVerticle::new, new DeploymentOptions().setConfig(config.toJson())));
    jwt = JWTAuth.create(vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
    context = vertx.getOrCreateContext();
    String nodeId = config.get(Settings.NODE_ID);
    onContext(() -> RedisLink.connect(vertx, redisUrl, "fuzz-actions")
      .compose(a -> {
        commands = a;
        return RedisLink.connect(vertx, redisUrl, "fuzz-deliveries");
      })
      .compose(d -> {
        deliveries = d;
        hub = new SessionHub(vertx, io.seedgate.common.lifecycle.Incarnation.start(nodeId), new ActionPublisher(commands, "fuzz-action:", Set.of(), nodeId, context),
          new DeliverySubscriber(deliveries), new SessionHub.Limits(MAX_MESSAGE_BYTES, 3_600_000, 3_600_000,
          100_000, 100_000, ConnectionLimits.of(vertx, 100_000, 100_000)), "fuzz-broadcast");
        return hub.start();
      }));
  }

  @AfterContainer
  static void stop() throws Exception {
    if (live != null) {
      endSession(live);
    }
    try {
      await(vertx.close());
    } finally {
      database.close();
    }
  }

  @Property
  void aFirstMessageIsAcceptedOrRefusedWithAnErrorAndAClose(@ForAll("firstMessages") Object raw) throws Exception {
    progress("first messages");
    Object input = raw instanceof Login login ? login.render() : raw;
    RecordingChannel channel = onContext(() -> {
      RecordingChannel c = new RecordingChannel();
      c.session = hub.open(c);
      receive(c.session, input);
      return Future.succeededFuture(c);
    });
    try {
      channel.outcome.get(Fuzz.TRY_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      fail("no outcome within " + Fuzz.TRY_LIMIT + " for " + describe(input) + "; sent " + channel.sentSnapshot());
    }
    onContext(() -> Future.succeededFuture(null));
    List<String> sent = channel.sentSnapshot();
    for (String s : sent) {
      assertErrorOrDelivery(s, channel);
    }
    if (channel.closed && !channel.authenticated) {
      assertTrue(!sent.isEmpty() && fatal(sent.get(sent.size() - 1)), "a close follows a fatal error: " + sent
        + " for " + describe(input));
    }
    if (raw instanceof Login login && (login.kind == TokenKind.VALID_2021 || login.kind == TokenKind.VALID_JWT)
      && input instanceof String text && text.length() <= MAX_MESSAGE_BYTES && parses(text)) {
      assertTrue(channel.authenticated, "a valid token is accepted: " + sent);
    }
    endSession(channel);
  }

  @Property
  void laterMessagesArePublishedOrAnsweredWithAnError(@ForAll("laterMessages") Object raw) throws Exception {
    progress("later messages");
    if (live == null || live.closed) {
      if (live != null) {
        endSession(live);
      }
      live = loggedIn();
    }
    RecordingChannel channel = live;
    List<String> errors = onContext(() -> {
      int before = channel.sent.size();
      receive(channel.session, raw);
      return Future.succeededFuture(new ArrayList<>(channel.sent.subList(before, channel.sent.size())));
    });
    for (String e : errors) {
      assertErrorOrDelivery(e, channel);
    }
    if (channel.closed) {
      assertTrue(!errors.isEmpty() && fatal(errors.get(errors.size() - 1)), "closed only after a fatal error: "
        + errors + " for " + describe(raw));
      endSession(channel);
      live = null;
    } else {
      for (String e : errors) {
        assertTrue(!fatal(e), "a fatal error without a close: " + e);
      }
    }
  }

  @Provide
  Arbitrary<Object> firstMessages() {
    Arbitrary<TokenKind> kinds = Arbitraries.frequencyOf(
      net.jqwik.api.Tuple.of(1, Arbitraries.of(TokenKind.VALID_2021, TokenKind.VALID_JWT)),
      net.jqwik.api.Tuple.of(8, Arbitraries.of(TokenKind.EXPIRED_JWT, TokenKind.FORGED_JWT, TokenKind.UNSIGNED_JWT,
        TokenKind.UNKNOWN_2021, TokenKind.LONG, TokenKind.NOT_A_STRING, TokenKind.EMPTY)));
    Arbitrary<Login> logins = Combinators.combine(kinds,
        Fuzz.json(2), Arbitraries.of("api/load", "move/up", "", "/", "x".repeat(70), "bad model/x"),
        Arbitraries.of(true, false), Arbitraries.of(true, false))
      .as(Login::new);
    return Arbitraries.frequencyOf(
      net.jqwik.api.Tuple.of(3, logins.map(l -> (Object) l)),
      net.jqwik.api.Tuple.of(2, Fuzz.clientText().map(s -> (Object) s)),
      net.jqwik.api.Tuple.of(2, Fuzz.clientBytes().map(b -> (Object) Buffer.buffer(b))));
  }

  @Provide
  Arbitrary<Object> laterMessages() {
    Arbitrary<String> actions = Arbitraries.oneOf(
      Arbitraries.of("move/up", "move/down", "api/save", "api", "", "/", "chat/say", "x".repeat(65), "a/b/c"),
      Arbitraries.strings().withChars("abz_-/09. \u00e9").ofMaxLength(70));
    Arbitrary<String> wellFormed = Combinators.combine(actions, Fuzz.validJson(), Arbitraries.integers().between(0, 4))
      .as((action, extra, shape) -> {
        JsonObject o = new JsonObject().put("action", action);
        if (shape > 0) {
          o.put("pingTime", shape == 1 ? (Object) 0.23 : shape == 2 ? "slow" : (Object) 1e300);
        }
        String json = o.encode();
        return shape == 4 ? json.substring(0, json.length() - 1) + ",\"x\":" + extra + "}" : json;
      });
    return Arbitraries.frequencyOf(
      net.jqwik.api.Tuple.of(18, wellFormed.map(s -> (Object) s)),
      net.jqwik.api.Tuple.of(1, Fuzz.clientText().map(s -> (Object) s)),
      net.jqwik.api.Tuple.of(1, Fuzz.clientBytes().map(b -> (Object) Buffer.buffer(b))));
  }

  /** Prints how many tries a property has run every 100,000 (a long run takes a while). */
  private static void progress(String property) {
    long[] p = PROGRESS.computeIfAbsent(property, k -> new long[] {0, System.currentTimeMillis()});
    if (++p[0] % 100_000 == 0) {
      System.out.printf("%s: %d tries in %d s%n", property, p[0], (System.currentTimeMillis() - p[1]) / 1000);
    }
  }

  /** What the WebSocket transport does with a message: its size check, then the session core. */
  private static void receive(Session session, Object raw) {
    int length = raw instanceof String s ? s.length() : ((Buffer) raw).length();
    if (length > MAX_MESSAGE_BYTES) {
      session.fail(ErrorCode.TOO_LARGE);
    } else {
      session.onMessage(raw, length);
    }
  }

  /** A first message with a token of some kind, an action and other fields. */
  record Login(TokenKind kind, String extra, String action, boolean binary, boolean withAction) {

    Object render() {
      String player = Long.toString(PLAYERS.incrementAndGet());
      Object token = switch (kind) {
        case VALID_2021 -> signIn(player);
        case VALID_JWT -> jwt.generateToken(new JsonObject().put("sub", player).put("map", "1"),
          new JWTOptions().setExpiresInSeconds(60));
        case EXPIRED_JWT -> jwt.generateToken(new JsonObject().put("sub", player)
          .put("exp", System.currentTimeMillis() / 1000 - 60), new JWTOptions().setNoTimestamp(true));
        case FORGED_JWT -> forge(jwt.generateToken(new JsonObject().put("sub", player), new JWTOptions()));
        case UNSIGNED_JWT -> b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64("{\"sub\":\"" + player + "\"}") + ".";
        case UNKNOWN_2021 -> UUID.randomUUID().toString().toUpperCase();
        case LONG -> "eyJ" + "A".repeat(10_000) + ".x.y";
        case NOT_A_STRING -> new JsonObject().put("t", 1);
        case EMPTY -> "";
      };
      String json = "{\"token\":" + (token instanceof String s ? JsonObject.of("t", s).encode().substring(5,
        JsonObject.of("t", s).encode().length() - 1) : ((JsonObject) token).encode())
        + (withAction ? ",\"action\":" + JsonObject.of("a", action).encode().substring(5,
        JsonObject.of("a", action).encode().length() - 1) : "")
        + ",\"x\":" + extra + "}";
      return binary ? Buffer.buffer(json) : json;
    }
  }

  /** The JWT with its payload changed (another player) and the signature kept. */
  private static String forge(String token) {
    String[] parts = token.split("\\.");
    return parts[0] + "." + b64("{\"sub\":\"1\",\"admin\":true}") + "." + parts[2];
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String signIn(String player) {
    String token = UUID.randomUUID().toString().toUpperCase();
    try {
      onContext(() -> commands.send(Request.cmd(Command.HSET).arg(token).arg("id").arg(player).arg("map_id").arg("1"))
        .mapEmpty());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return token;
  }

  private static RecordingChannel loggedIn() throws Exception {
    String token = signIn(Long.toString(PLAYERS.incrementAndGet()));
    RecordingChannel c = onContext(() -> {
      RecordingChannel rc = new RecordingChannel();
      rc.session = hub.open(rc);
      rc.session.onMessage(new JsonObject().put("token", token).put("action", "api/load").encode(), 60);
      return Future.succeededFuture(rc);
    });
    c.outcome.get(Fuzz.TRY_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    if (!c.authenticated) {
      fail("a valid login did not authenticate: " + c.sentSnapshot());
    }
    return c;
  }

  /** Closes the session if still open and waits until its end is recorded and the hub forgot it. */
  private static void endSession(RecordingChannel c) throws Exception {
    onContext(() -> {
      c.close();
      return c.session.ended();
    });
    int left = onContext(() -> Future.succeededFuture(hub.sessionCount()));
    assertEquals(live != null && live != c && !live.closed ? 1 : 0, left, "no session is left behind");
  }

  private static void assertErrorOrDelivery(String text, RecordingChannel c) {
    JsonObject message = new JsonObject(text);
    if (message.containsKey("error")) {
      assertTrue(ERROR_TEXTS.contains(message.getString("error")), "a documented error: " + text);
    } else {
      assertTrue(c.authenticated, "only an authenticated session gets deliveries: " + text);
    }
  }

  private static boolean parses(String text) {
    try {
      ClientMessage.parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean fatal(String text) {
    String error = new JsonObject(text).getString("error");
    for (ErrorCode c : ErrorCode.values()) {
      if (c.text().equals(error) && c.fatal() && c != ErrorCode.FLOOD) {
        return true;
      }
    }
    return false;
  }

  private static String describe(Object raw) {
    String s = raw instanceof Buffer b ? "bytes " + b.toString(StandardCharsets.ISO_8859_1) : "text " + raw;
    return s.length() > 300 ? s.substring(0, 300) + "... (" + s.length() + ")" : s;
  }

  /** Runs the task on the hub's event loop and waits for its future, within the try limit. */
  private static <T> T onContext(Callable<Future<T>> task) throws Exception {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> {
      try {
        task.call().onComplete(done);
      } catch (Throwable e) {
        done.fail(e);
      }
    });
    try {
      return done.future().toCompletionStage().toCompletableFuture().get(Fuzz.TRY_LIMIT.toMillis(),
        TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw (Exception) e.getCause();
    }
  }

  /** The client channel as a recording double: what was sent, whether it was closed or authenticated. */
  static final class RecordingChannel implements ClientChannel {

    final List<String> sent = new ArrayList<>();
    volatile boolean closed;
    volatile boolean authenticated;
    /** Completes when the channel is closed or its session authenticated, whichever comes first. */
    final java.util.concurrent.CompletableFuture<Void> outcome = new java.util.concurrent.CompletableFuture<>();
    Session session;

    @Override
    public void send(OutboundMessage message) {
      if (!closed) {
        synchronized (sent) {
          sent.add(message.text());
        }
      }
    }

    List<String> sentSnapshot() {
      synchronized (sent) {
        return new ArrayList<>(sent);
      }
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    /** As a socket does: closed now, the session told on a later event-loop turn. */
    @Override
    public void close() {
      if (!closed) {
        closed = true;
        outcome.complete(null);
        context.runOnContext(v -> session.onClosed());
      }
    }

    @Override
    public String remoteIp() {
      return "127.0.0.1";
    }

    @Override
    public String transport() {
      return "websocket";
    }

    @Override
    public void onAuthenticated() {
      authenticated = true;
      outcome.complete(null);
    }
  }
}
