package io.seedgate.router;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.lifecycle.Incarnation;
import io.seedgate.router.auth.Identity;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link IncarnationSweeper}: the sessions of a gateway incarnation whose lease lapsed are ended, and only those. */
class IncarnationSweeperTest extends RouterTestSupport {

  private SessionDirectory directory;
  private IncarnationSweeper sweeper;

  private void setUp() {
    directory = directory();
    sweeper = onContext(() -> Future.succeededFuture(
      new IncarnationSweeper(vertx, link, directory, "router-node", 60_000)));
  }

  /** An incarnation listed in {@code seed:incarnations}, with one open session of {@code player}. */
  private void incarnation(String incarnation, String node, String player, String token) {
    incarnation(incarnation, node, player, token, "1", "-1");
  }

  private void incarnation(String incarnation, String node, String player, String token, String map, String n) {
    cmd(Request.cmd(Command.HSET).arg(RedisKeys.INCARNATIONS).arg(incarnation)
      .arg(RedisKeys.incarnationValue(node, null)));
    signIn(token, player, map);
    onContext(() -> directory.open(new Identity(player, map, token), login(node, incarnation, incarnation + n)));
  }

  private void assertEnded(String incarnation, String player, String token) {
    assertNull(get(RedisKeys.sessionOwner(player)), "offline: no live session");
    assertFalse(exists(token), "saved, so its hash is gone");
    assertFalse(onMap("1", token), "off its map");
    assertNull(hget(RedisKeys.onlineShard(token), token));
    assertFalse(exists(RedisKeys.nodeSessions(incarnation)), "index gone");
    assertNull(hget(RedisKeys.INCARNATIONS, incarnation), "no longer listed");
    assertFalse(exists(RedisKeys.nodeCleanup(incarnation)), "clean-up claim released");
  }

  private void assertLive(String incarnation, String player, String token) {
    assertEquals(incarnation.substring(0, incarnation.indexOf('.')) + "|" + incarnation + "-1|" + token,
      get(RedisKeys.sessionOwner(player)));
    assertTrue(exists(token));
    assertTrue(onMap("1", token));
    assertEquals(player, hget(RedisKeys.onlineShard(token), token));
    assertEquals(incarnation + "-1|" + token + "|1", hget(RedisKeys.nodeSessions(incarnation), player));
    assertTrue(exists(RedisKeys.INCARNATIONS) && hget(RedisKeys.INCARNATIONS, incarnation) != null);
  }

  @Test
  void anIncarnationWhoseLeaseLapsedIsEndedOneLiveOrLocalIsNot() {
    setUp();
    incarnation("dead.a1", "dead", "1", "T-1");
    incarnation("leased.b1", "leased", "2", "T-2");
    cmd(Request.cmd(Command.SET).arg(RedisKeys.lease("leased.b1")).arg("1").arg("EX").arg(60));
    incarnation("here.c1", "here", "3", "T-3");
    Incarnation.local(vertx).put("here.c1", "here");

    onContext(() -> sweeper.sweep());

    assertEnded("dead.a1", "1", "T-1");
    assertEquals(1, persistence.saves.size(), "only the dead incarnation's session was saved");
    assertEquals("1", persistence.saves.get(0).getString("player"));
    assertEquals("offline", persistence.savedHashes.get(0).get(RedisKeys.F_ACTION));
    assertLive("leased.b1", "2", "T-2");
    assertLive("here.c1", "3", "T-3");
  }

  @Test
  void aCleanUpWhoseEndsFailIsRetriedAtTheNextSweep() {
    setUp();
    incarnation("dead.a1", "dead", "1", "T-1");
    incarnation("dead.a1", "dead", "2", "T-2", "2", "-2");
    // player 2's end fails: its map's GEO set is not one (WRONGTYPE); player 1's goes through
    cmd(Request.cmd(Command.DEL).arg(RedisKeys.mapGeoSet("2")));
    cmd(Request.cmd(Command.SET).arg(RedisKeys.mapGeoSet("2")).arg("not a GEO set"));

    onContext(() -> sweeper.sweep());

    assertNull(hget(RedisKeys.nodeSessions("dead.a1"), "1"), "the end that worked is done");
    assertEquals(1, persistence.saves.size());
    assertEquals("dead.a1-2|T-2|2", hget(RedisKeys.nodeSessions("dead.a1"), "2"), "the one that failed is left");
    assertEquals(RedisKeys.incarnationValue("dead", null), hget(RedisKeys.INCARNATIONS, "dead.a1"), "still listed");
    assertFalse(exists(RedisKeys.nodeCleanup("dead.a1")), "claim released after a failed clean-up");

    cmd(Request.cmd(Command.DEL).arg(RedisKeys.mapGeoSet("2")));
    onContext(() -> sweeper.sweep());

    assertEnded("dead.a1", "2", "T-2");
    assertEquals(2, persistence.saves.size());
    assertNull(get(RedisKeys.sessionOwner("1")));
  }

  @Test
  void anIncarnationAnotherRouterCleansUpIsLeftToIt() {
    setUp();
    incarnation("dead.a1", "dead", "1", "T-1");
    cmd(Request.cmd(Command.SET).arg(RedisKeys.nodeCleanup("dead.a1")).arg("other-router").arg("EX").arg(60));

    onContext(() -> sweeper.sweep());

    assertTrue(persistence.saves.isEmpty());
    assertEquals("dead.a1-1|T-1|1", hget(RedisKeys.nodeSessions("dead.a1"), "1"));
    assertEquals("other-router", get(RedisKeys.nodeCleanup("dead.a1")), "its claim is not touched");
  }
}
