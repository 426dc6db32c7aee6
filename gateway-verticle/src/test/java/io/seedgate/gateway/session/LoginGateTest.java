package io.seedgate.gateway.session;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The login gate: so many token checks at once, the rest first come first served, a full queue refused. */
class LoginGateTest {

  /** Token checks started, in order, each answered when the test completes its promise. */
  private final List<Promise<JsonObject>> started = new ArrayList<>();

  private Future<JsonObject> check() {
    Promise<JsonObject> p = Promise.promise();
    started.add(p);
    return p.future();
  }

  @Test
  void atMostSoManyChecksAtOnceTheRestInTurnAndAFullQueueIsRefusedAsUnavailable() {
    LoginGate gate = new LoginGate(2, 2, 20_000);
    List<Future<JsonObject>> logins = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      logins.add(gate.submit(() -> false, this::check, 0));
    }
    assertEquals(2, started.size(), "two checks at the router");
    assertEquals(2, gate.queued());
    assertTrue(logins.get(4).failed(), "the fifth finds the queue full");
    assertEquals(ErrorCode.UNAVAILABLE, GatewayException.codeOf(logins.get(4).cause()));

    started.get(1).complete(new JsonObject().put("n", 1));
    assertTrue(logins.get(1).succeeded());
    assertEquals(3, started.size(), "the first waiting one goes when a check is answered");
    started.get(0).fail("router down");
    assertTrue(logins.get(0).failed(), "a failed check fails its login");
    assertEquals(4, started.size());
    assertEquals(0, gate.queued());
    started.get(2).complete(new JsonObject().put("n", 2));
    started.get(3).complete(new JsonObject().put("n", 3));
    assertEquals(2, logins.get(2).result().getInteger("n"), "in the order they came");
    assertEquals(3, logins.get(3).result().getInteger("n"));
    assertTrue(gate.submit(() -> false, this::check, 0) != null && started.size() == 5, "free again: at once");
  }

  @Test
  void anAbandonedLoginIsSkippedAndOneWaitingTooLongFails() {
    LoginGate gate = new LoginGate(1, 10, 1_000);
    Future<JsonObject> first = gate.submit(() -> false, this::check, 0);
    boolean[] closed = {false};
    Future<JsonObject> abandoned = gate.submit(() -> closed[0], this::check, 0);
    Future<JsonObject> late = gate.submit(() -> false, this::check, 500);
    Future<JsonObject> fresh = gate.submit(() -> false, this::check, 1_400);
    closed[0] = true;
    gate.expire(1_600);
    assertTrue(abandoned.failed(), "its connection closed");
    assertTrue(late.failed(), "it waited over 1 s");
    assertEquals(ErrorCode.UNAVAILABLE, GatewayException.codeOf(late.cause()));
    assertFalse(fresh.isComplete(), "still waiting its turn");
    assertEquals(1, started.size());
    started.get(0).complete(new JsonObject());
    assertTrue(first.succeeded());
    assertEquals(2, started.size(), "the fresh one's check started");
  }

  @Test
  void resizedItStartsWaitingLoginsAtOnceOrLetsChecksUnderWayFinish() {
    LoginGate gate = new LoginGate(1, 1, 20_000);
    gate.submit(() -> false, this::check, 0);
    gate.submit(() -> false, this::check, 0);
    assertTrue(gate.submit(() -> false, this::check, 0).failed(), "queue of 1 full");
    gate.resize(3, 2);
    assertEquals(2, started.size(), "the waiting one starts when more may be in flight");
    gate.submit(() -> false, this::check, 0);
    assertEquals(3, started.size());
    gate.resize(1, 2);
    gate.submit(() -> false, this::check, 0);
    gate.submit(() -> false, this::check, 0);
    assertEquals(3, started.size(), "none more while over the smaller size");
    assertTrue(gate.submit(() -> false, this::check, 0).failed(), "the larger queue of 2 is full");
    started.get(0).complete(new JsonObject());
    started.get(1).complete(new JsonObject());
    assertEquals(3, started.size(), "still one over the size of 1 in flight");
    started.get(2).complete(new JsonObject());
    assertEquals(4, started.size(), "below it: the next one goes");
  }
}
