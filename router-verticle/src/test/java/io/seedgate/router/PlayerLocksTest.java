package io.seedgate.router;

import io.seedgate.common.RedisKeys;
import io.seedgate.router.auth.Identity;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link PlayerLocks}: one login or session end of a player at a time, released after a failure, expiring. */
class PlayerLocksTest extends RouterTestSupport {

  private static final String TOKEN = "T-7";

  /**
   * The end of a drained session is saving (holding the lock) when the player logs in again elsewhere: the login
   * waits for the end, then takes over a clean slate; the end never removes what the new session recorded.
   */
  @Test
  void aLoginDuringAnEndWaitsForItAndKeepsItsSession() {
    SessionDirectory directory = directory();
    signIn(TOKEN, "7", "1");
    onContext(() -> directory.open(new Identity("7", "1", TOKEN), login("node-a", "node-a.i1", "s1")));
    persistence.save = Persistence.Save.HOLD;

    Future<Boolean> end = start(() -> directory.end(ended("7", "1", TOKEN, "node-a", "node-a.i1", "s1")));
    await(persistence.nextSave());
    // the end is saving; the player logs in on another node with the same 2021 token
    Future<JsonObject> open = start(() -> directory.open(new Identity("7", "1", TOKEN),
      login("node-b", "node-b.i1", "s2")));
    // give an unlocked login ample time to run through while the save is held, then let the save answer
    Promise<Boolean> openDoneBeforeSave = Promise.promise();
    vertx.setTimer(300, t -> {
      openDoneBeforeSave.complete(open.isComplete());
      persistence.releaseHeld();
    });

    assertFalse(await(openDoneBeforeSave.future()), "the login waited for the end holding the player's lock");
    assertTrue(await(end));
    await(open);
    assertEquals("node-b|s2|" + TOKEN, get(RedisKeys.sessionOwner("7")));
    assertTrue(exists(TOKEN), "the new session's hash is kept");
    assertEquals(TOKEN, hget(TOKEN, RedisKeys.F_TOKEN));
    assertTrue(onMap("1", TOKEN));
    assertEquals("7", hget(RedisKeys.onlineShard(TOKEN), TOKEN));
    assertEquals("s2|" + TOKEN + "|1", hget(RedisKeys.nodeSessions("node-b.i1"), "7"));
    assertNull(hget(RedisKeys.nodeSessions("node-a.i1"), "7"));
    assertFalse(exists(RedisKeys.playerLock("7")), "released by both");
  }

  @Test
  void theLockIsReleasedAfterAFailure() {
    PlayerLocks locks = onContext(() -> Future.succeededFuture(new PlayerLocks(vertx, link)));
    boolean[] heldDuringWork = new boolean[1];

    Throwable e = failure(start(() -> locks.withLock("7", () -> link.send(Request.cmd(Command.EXISTS)
      .arg(RedisKeys.playerLock("7"))).compose(r -> {
        heldDuringWork[0] = r.toInteger() == 1;
        return Future.failedFuture("work failed (test)");
      }))));

    assertEquals("work failed (test)", e.getMessage());
    assertTrue(heldDuringWork[0]);
    assertFalse(exists(RedisKeys.playerLock("7")));
    long before = System.currentTimeMillis();
    assertEquals("again", onContext(() -> locks.withLock("7", () -> Future.succeededFuture("again"))));
    assertTrue(System.currentTimeMillis() - before < PlayerLocks.TTL_MS / 4, "taken at once, not after expiry");
  }

  @Test
  void theLockExpiresWhenItsHolderDies() {
    PlayerLocks locks = onContext(() -> Future.succeededFuture(new PlayerLocks(vertx, link)));
    // a holder that never finishes: its lock carries the TTL that frees the player should it die
    Promise<Void> never = Promise.promise();
    start(() -> locks.withLock("7", never::future));
    long ttl = awaitLockTtl("7");
    assertTrue(ttl > 0 && ttl <= PlayerLocks.TTL_MS, "lock TTL " + ttl);

    // another router's lock whose holder died (1 s left of its TTL): taken once it expired, not before
    cmd(Request.cmd(Command.SET).arg(RedisKeys.playerLock("8")).arg("dead-router:1").arg("PX").arg(1_000));
    String[] seen = new String[1];
    long before = System.currentTimeMillis();
    onContext(() -> locks.withLock("8", () -> link.send(Request.cmd(Command.GET).arg(RedisKeys.playerLock("8")))
      .map(r -> seen[0] = r.toString())));

    assertTrue(System.currentTimeMillis() - before >= 900, "waited for the dead holder's lock to expire");
    assertFalse(seen[0].startsWith("dead-router"), "held with a value of its own: " + seen[0]);
    assertFalse(exists(RedisKeys.playerLock("8")));
  }

  private long awaitLockTtl(String player) {
    return onContext(() -> {
      Promise<Long> ttl = Promise.promise();
      poll(player, ttl);
      return ttl.future();
    });
  }

  private void poll(String player, Promise<Long> ttl) {
    link.send(Request.cmd(Command.PTTL).arg(RedisKeys.playerLock(player))).onSuccess(r -> {
      if (r.toLong() > 0) {
        ttl.complete(r.toLong());
      } else {
        vertx.setTimer(5, t -> poll(player, ttl));
      }
    }).onFailure(ttl::fail);
  }
}
