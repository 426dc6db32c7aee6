package io.seedgate.gateway.session;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.seedgate.gateway.routing.Action;
import io.seedgate.gateway.routing.ActionMessage;
import io.seedgate.gateway.routing.ActionSink;
import io.seedgate.gateway.routing.Sender;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link Session} alone: no Vert.x instance, no router, no Redis. Its collaborators are small real implementations
 * that record what they were asked and answer when the test says so; the client channel records what it was sent.
 * Futures complete on the test thread, so every outcome is there to be read right after the call that caused it.
 */
class SessionTest {

  private static final int MAX_MESSAGE_BYTES = 200;
  private static final String LOGIN = "{\"token\":\"T-1\",\"action\":\"move/up\",\"x\":1}";

  private final RecordingChannel channel = new RecordingChannel();
  private final Logins logins = new Logins();
  private final Actions actions = new Actions(Set.of("move", "chat"));
  private final Lifecycle lifecycle = new Lifecycle();
  private final SessionLatencies latencies = new SessionLatencies();
  private final List<Long> loginLatencies = new ArrayList<>();
  private final List<Long> routingLatencies = new ArrayList<>();
  private final HubCounters counters = new HubCounters();
  private final long[] clock = {1_000_000};
  private RateLimiter.Rule rate = new RateLimiter.Rule(1000, 1000);
  private Session session;

  @BeforeEach
  void wire() {
    latencies.onLoggedIn(loginLatencies::add);
    latencies.onRouted(routingLatencies::add);
  }

  private Session open() {
    session = new Session("s-1", channel, new SessionCollaborators(logins, actions, lifecycle, latencies, counters,
      new ErrorMessages(), new SessionLimits(MAX_MESSAGE_BYTES, rate), () -> clock[0]));
    return session;
  }

  private void receive(String json) {
    session.onMessage(json, json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
  }

  private static String error(ErrorCode code) {
    return new JsonObject().put("error", code.text()).encode();
  }

  private static JsonObject identity(String token, String player, String map) {
    return new JsonObject().put("token", token).put("player", player).put("map", map);
  }

  /** Presents {@link #LOGIN}'s token and lets its check and activation succeed. */
  private void loggedIn() {
    open();
    receive(LOGIN);
    logins.answer(identity("T-1", "p-1", "m-1"));
    actions.answerAll();
  }

  @Test
  void aPresentedTokenIsCheckedThenTheSessionIsActiveAndItsFirstActionReachesTheSink() {
    open();
    receive(LOGIN);

    assertEquals(List.of("T-1"), logins.tokens);
    assertTrue(logins.asked.get(0) == session, "the check is for this session");
    assertEquals(List.of(), lifecycle.events, "nothing indexed before the token is checked");
    assertEquals(List.of(), actions.published, "no action before the session is active");

    logins.answer(identity("T-1", "p-1", "m-1"));

    assertEquals(List.of("activate"), lifecycle.events);
    assertTrue(channel.authenticated, "the transport hears of the authentication");
    assertEquals("p-1", session.playerId());
    assertEquals("m-1", session.mapId());
    assertEquals("T-1", session.token());
    assertEquals(1, loginLatencies.size());
    assertEquals(List.of("move/up by p-1 on m-1: {\"x\":1}"), actions.published);
    assertEquals(List.of(), routingLatencies, "routed only once the sink took the action");

    actions.answerAll();

    assertEquals(1, routingLatencies.size());
    assertTrue(routingLatencies.get(0) >= 0);
    assertEquals(List.of(), channel.sent, "nothing is sent to the client on success");
    assertFalse(channel.closed);
    assertEquals(1, counters.messagesIn());
    assertEquals(0, counters.messagesOut());
  }

  @Test
  void aTokenFromTheHandshakeNeedsNoFirstMessage() {
    open();
    session.authenticateWith("JWT-1");
    logins.answer(identity("T-9", "p-9", "m-9"));

    assertEquals(List.of("JWT-1"), logins.tokens);
    assertEquals(List.of("activate"), lifecycle.events);
    assertEquals(List.of(), actions.published, "the handshake carries no action");

    receive("{\"action\":\"chat/say\"}");
    assertEquals(List.of("chat/say by p-9 on m-9: {}"), actions.published);
  }

  @Test
  void messagesQueuedWhileAuthenticatingArePlayedInOrderAfterTheFirst() {
    open();
    receive(LOGIN);
    receive("{\"action\":\"move/down\",\"n\":2}");
    receive("{\"action\":\"chat/say\",\"n\":3}");
    assertEquals(List.of(), actions.published);

    logins.answer(identity("T-1", "p-1", "m-1"));

    assertEquals(List.of("move/up by p-1 on m-1: {\"x\":1}", "move/down by p-1 on m-1: {\"n\":2}",
      "chat/say by p-1 on m-1: {\"n\":3}"), actions.published);
  }

  @Test
  void aNinthMessageWhileAuthenticatingIsAFlood() {
    open();
    receive(LOGIN);
    for (int i = 0; i < 7; i++) {
      receive("{\"action\":\"move/up\"}");
    }
    assertEquals(List.of(), channel.sent, "the first message and seven more may wait");

    receive("{\"action\":\"move/up\"}");

    assertEquals(List.of(error(ErrorCode.FLOOD)), channel.sent);
    assertFalse(channel.closed, "a flood warning is not fatal");
  }

  @Test
  void aMessageOverTheLimitIsRefusedWithAnErrorAndAClose() {
    open();
    String large = "{\"token\":\"T-1\",\"action\":\"move/up\",\"pad\":\"" + "x".repeat(MAX_MESSAGE_BYTES) + "\"}";
    receive(large);

    assertEquals(List.of(error(ErrorCode.TOO_LARGE)), channel.sent);
    assertEquals(ErrorCode.TOO_LARGE, channel.closedFor);
    assertEquals(List.of(), logins.tokens, "its token is not even read");
    assertEquals(1, counters.messagesIn());
    assertEquals(1, counters.messagesOut());

    session.onClosed();

    assertEquals(List.of("forget"), lifecycle.events, "never authenticated: forgotten, no end to record");
    assertTrue(session.ended().succeeded());
  }

  @Test
  void theSizeLimitIsOnTheBytesTheTransportCounted() {
    open();
    session.onMessage(Buffer.buffer(LOGIN), MAX_MESSAGE_BYTES);
    assertEquals(List.of("T-1"), logins.tokens, "exactly at the limit is accepted");
  }

  @Test
  void malformedJsonIsRefusedWithAnErrorAndAClose() {
    open();
    receive("{\"token\":\"T-1\",");

    assertEquals(List.of(error(ErrorCode.MALFORMED)), channel.sent);
    assertEquals(ErrorCode.MALFORMED, channel.closedFor);
    assertEquals(List.of(), logins.tokens);
  }

  @Test
  void aFirstMessageWithoutATokenFailsAuthentication() {
    open();
    receive("{\"action\":\"move/up\"}");

    assertEquals(List.of(error(ErrorCode.INVALID_TOKEN)), channel.sent);
    assertEquals(ErrorCode.INVALID_TOKEN, channel.closedFor);
    assertEquals(1, counters.authFailures(ErrorCode.INVALID_TOKEN));
  }

  @Test
  void aFloodIsWarnedOnceThenDroppedThenClosed() {
    rate = new RateLimiter.Rule(1, 2);
    loggedIn();
    actions.published.clear();

    receive("{\"action\":\"move/a\"}");
    receive("{\"action\":\"move/b\"}");
    assertEquals(List.of(error(ErrorCode.FLOOD)), channel.sent, "over the burst: warned");
    receive("{\"action\":\"move/c\"}");
    assertEquals(List.of(error(ErrorCode.FLOOD)), channel.sent, "warned at most once a second");
    assertFalse(channel.closed);
    receive("{\"action\":\"move/d\"}");

    assertEquals(List.of(error(ErrorCode.FLOOD), error(ErrorCode.FLOODING)), channel.sent);
    assertEquals(ErrorCode.FLOODING, channel.closedFor);
    assertEquals(List.of("move/a by p-1 on m-1: {}"), actions.published, "dropped messages are not acted on");
    assertEquals(5, counters.messagesIn());
  }

  @Test
  void theRateRefillsWithTheClock() {
    rate = new RateLimiter.Rule(1, 1);
    loggedIn();
    receive("{\"action\":\"move/a\"}");
    assertEquals(List.of(error(ErrorCode.FLOOD)), channel.sent);

    clock[0] += 1_000;
    receive("{\"action\":\"move/b\"}");

    assertEquals(List.of(error(ErrorCode.FLOOD)), channel.sent);
    assertEquals("move/b by p-1 on m-1: {}", actions.published.get(actions.published.size() - 1));
  }

  @Test
  void anActionOfAModelNotAllowedIsAnsweredAndTheSessionStays() {
    loggedIn();
    receive("{\"action\":\"admin/wipe\"}");

    assertEquals(List.of(error(ErrorCode.MODEL_NOT_ALLOWED)), channel.sent);
    assertFalse(channel.closed);
    assertEquals(1, actions.published.size(), "only the login's action");
  }

  @Test
  void anActionTheSinkDidNotTakeIsAnsweredAndCounted() {
    loggedIn();
    receive("{\"action\":\"move/up\"}");
    actions.failAll();

    assertEquals(List.of(error(ErrorCode.ACTION_NOT_DELIVERED)), channel.sent);
    assertFalse(channel.closed);
    assertEquals(1, counters.actionsFailed());
  }

  @Test
  void aRefusedTokenIsCountedByReasonAndClosed() {
    open();
    receive(LOGIN);
    logins.refuse(ErrorCode.TOKEN_EXPIRED);

    assertEquals(List.of(error(ErrorCode.TOKEN_EXPIRED)), channel.sent);
    assertEquals(ErrorCode.TOKEN_EXPIRED, channel.closedFor);
    assertEquals(1, counters.authFailures(ErrorCode.TOKEN_EXPIRED));
    assertEquals(List.of(), lifecycle.events);
    assertFalse(channel.authenticated);
  }

  @Test
  void deliveriesThatCouldNotBeSubscribedEndTheLoginAsUnavailable() {
    lifecycle.activation = Future.failedFuture("no subscription");
    open();
    receive(LOGIN);
    logins.answer(identity("T-1", "p-1", "m-1"));

    assertEquals(List.of(error(ErrorCode.UNAVAILABLE)), channel.sent);
    assertEquals(ErrorCode.UNAVAILABLE, channel.closedFor);
    assertEquals(List.of(), actions.published);

    session.onClosed();
    assertEquals(List.of("activate", "ended UNAVAILABLE"), lifecycle.events, "its player was indexed: ended");
  }

  @Test
  void aLoginAnsweredAfterItsConnectionClosedIsEndedAtOnce() {
    open();
    receive(LOGIN);
    session.onClosed();
    assertEquals(List.of("forget"), lifecycle.events);

    logins.answer(identity("T-1", "p-1", "m-1"));

    assertEquals(List.of("forget", "ended UNAVAILABLE"), lifecycle.events, "the router's session is ended");
    assertEquals(List.of(), channel.sent);
    assertEquals(List.of(), actions.published);
  }

  @Test
  void anAuthenticatedSessionEndsWithTheReasonItWasClosedFor() {
    loggedIn();
    session.fail(ErrorCode.KICKED);
    assertEquals(List.of(error(ErrorCode.KICKED)), channel.sent);
    assertEquals(ErrorCode.KICKED, channel.closedFor);

    session.onClosed();
    assertEquals(List.of("activate", "ended KICKED"), lifecycle.events);
    assertFalse(session.ended().isComplete(), "ended once its end is recorded");
    lifecycle.ends.get(0).complete();
    assertTrue(session.ended().succeeded());

    receive("{\"action\":\"move/up\"}");
    session.deliver(OutboundMessage.ofText("{\"late\":true}"));
    assertEquals(1, channel.sent.size(), "nothing more once closed");
    assertEquals(1, counters.messagesIn(), "a closed session counts nothing");
  }

  @Test
  void aSessionClosedByItsClientEndsAsUnavailable() {
    loggedIn();
    session.onClosed();
    session.onClosed();
    assertEquals(List.of("activate", "ended UNAVAILABLE"), lifecycle.events, "once");
  }

  @Test
  void deliveriesGoOutUntilTheClientIsTooSlow() {
    loggedIn();
    session.deliver(OutboundMessage.ofText("{\"hello\":1}"));
    channel.full = true;
    session.deliver(OutboundMessage.ofText("{\"hello\":2}"));

    assertEquals(List.of("{\"hello\":1}", error(ErrorCode.SLOW_CONSUMER)), channel.sent);
    assertEquals(ErrorCode.SLOW_CONSUMER, channel.closedFor);
    assertEquals(1, counters.slowClients());
    assertEquals(2, counters.messagesOut());
  }

  @Test
  void nothingIsDeliveredBeforeAuthentication() {
    open();
    session.deliver(OutboundMessage.ofText("{\"hello\":1}"));
    receive(LOGIN);
    session.deliver(OutboundMessage.ofText("{\"hello\":2}"));
    assertEquals(List.of(), channel.sent);
  }

  @Test
  void theClockSaysWhenTheSessionWasLastActive() {
    open();
    clock[0] += 5_000;
    assertTrue(session.unauthenticatedSince(clock[0]));
    receive(LOGIN);
    assertFalse(session.unauthenticatedSince(clock[0]), "authenticating, not waiting for a token");
    assertTrue(session.authenticatingSince(clock[0]));
    assertFalse(session.idleSince(clock[0]));
    assertTrue(session.idleSince(clock[0] + 1));
    assertNull(session.playerId());
  }

  /**
   * A client channel that records what the session sent it and how it was closed; with {@link #session} set, a
   * close tells the session at once, as a transport does once the connection is gone.
   */
  static final class RecordingChannel implements ClientChannel {
    final List<String> sent = new ArrayList<>();
    Session session;
    boolean closed;
    ErrorCode closedFor;
    boolean authenticated;
    boolean full;

    @Override
    public void send(OutboundMessage message) {
      sent.add(message.text());
    }

    @Override
    public boolean writeQueueFull() {
      return full;
    }

    @Override
    public void close() {
      closed = true;
      if (session != null) {
        session.onClosed();
      }
    }

    @Override
    public void close(ErrorCode reason) {
      closedFor = reason;
      close();
    }

    @Override
    public String remoteIp() {
      return "192.0.2.7";
    }

    @Override
    public String transport() {
      return "tcp";
    }

    @Override
    public void onAuthenticated() {
      authenticated = true;
    }
  }

  /** Token checks that wait for the test's answer, oldest first. */
  static final class Logins implements Authenticator {
    final List<String> tokens = new ArrayList<>();
    final List<Session> asked = new ArrayList<>();
    private final List<Promise<JsonObject>> pending = new ArrayList<>();

    @Override
    public Future<JsonObject> authenticate(Session session, String token) {
      tokens.add(token);
      asked.add(session);
      Promise<JsonObject> answer = Promise.promise();
      pending.add(answer);
      return answer.future();
    }

    void answer(JsonObject identity) {
      pending.remove(0).complete(identity);
    }

    void refuse(ErrorCode reason) {
      pending.remove(0).fail(new GatewayException(reason, "refused by the test"));
    }
  }

  /** An action sink with an allow-list that records each action and lets the test say whether it was taken. */
  static final class Actions implements ActionSink {
    final List<String> published = new ArrayList<>();
    private final Set<String> allowed;
    private final List<Promise<Void>> pending = new ArrayList<>();

    Actions(Set<String> allowed) {
      this.allowed = allowed;
    }

    @Override
    public boolean allowed(String model) {
      return allowed.contains(model);
    }

    @Override
    public Future<Void> publish(Sender sender, Action action, ActionMessage message) {
      published.add(action.model() + "/" + action.method() + " by " + sender.playerId() + " on " + sender.mapId()
        + ": " + new String(message.data(), java.nio.charset.StandardCharsets.UTF_8));
      Promise<Void> taken = Promise.promise();
      pending.add(taken);
      return taken.future();
    }

    void answerAll() {
      List<Promise<Void>> all = new ArrayList<>(pending);
      pending.clear();
      all.forEach(Promise::complete);
    }

    void failAll() {
      List<Promise<Void>> all = new ArrayList<>(pending);
      pending.clear();
      all.forEach(p -> p.fail("redis away"));
    }
  }

  /** Records what the session told its instance; activation answers {@link #activation}, ends wait for the test. */
  static final class Lifecycle implements SessionLifecycle {
    final List<String> events = new ArrayList<>();
    final List<Promise<Void>> ends = new ArrayList<>();
    Future<Void> activation = Future.succeededFuture();

    @Override
    public Future<Void> activate(Session session) {
      events.add("activate");
      return activation;
    }

    @Override
    public Future<Void> ended(Session session, ErrorCode reason) {
      events.add("ended " + reason.name());
      Promise<Void> recorded = Promise.promise();
      ends.add(recorded);
      return recorded.future();
    }

    @Override
    public void forget(Session session) {
      events.add("forget");
    }
  }
}
