package io.seedgate.node;

import io.seedgate.common.RedisKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Redis master killed while a node is under load, and a count of what was lost. Players on one map move up in a
 * closed loop (each sends {@code move/up}, waits for its own move on the map's channel, a second at most, and sends
 * the next), and the test publishes a numbered broadcast on the map's channel every 50 ms, while {@link #run} kills a
 * master and waits for its replacement. The load goes on until every player has had moves answered for 3 s after
 * the promotion.
 *
 * <p>What it counts: an <em>acknowledged move lost</em> is a move whose answer a player saw (the service had written
 * its position, then published it) but whose write Redis no longer has after the failover, seen as the next answered
 * position going back. Redis replicates asynchronously, so it may lose the writes of the last moments before the
 * kill; a lost move acknowledged earlier than {@link #REPLICATION_WINDOW} before the kill is the node's (or the
 * service's) fault and fails the run, like a player closed, a player no longer online or on its map, or a broadcast
 * published after deliveries were back that a player did not get.
 */
final class FailoverUnderLoad {

  /** How far before the kill Redis may still lose an acknowledged write (asynchronous replication on loopback). */
  static final Duration REPLICATION_WINDOW = Duration.ofMillis(200);
  private static final Duration LOAD_AFTER_PROMOTION = Duration.ofSeconds(3);
  private static final Duration RECOVERY_BOUND = Duration.ofSeconds(30);

  /** What a run measured. */
  record Report(int players, double promotedSeconds, double actionsBackSeconds, double deliveriesBackSeconds,
                long movesAcknowledged, long movesUnanswered, int acknowledgedMovesLost,
                int acknowledgedMovesLostBeforeTheWindow, double lostFromSeconds, double lostToSeconds,
                long broadcastsPublished, long broadcastsMissedDuringOutage, long broadcastsMissedAfterRecovery,
                int playersClosed) {

    @Override
    public String toString() {
      return String.format("%d players: promoted %.1f s after the kill; actions back %.1f s and deliveries %.1f s "
          + "after the promotion; moves acknowledged %d, unanswered %d, acknowledged then lost %d (%d of them before "
          + "the last %d ms before the kill; acknowledged from %.2f to %.2f s after it); broadcasts published %d, "
          + "missed during the outage %d (per player, summed), after recovery %d; players closed %d", players,
        promotedSeconds, actionsBackSeconds, deliveriesBackSeconds, movesAcknowledged, movesUnanswered,
        acknowledgedMovesLost, acknowledgedMovesLostBeforeTheWindow, REPLICATION_WINDOW.toMillis(), lostFromSeconds,
        lostToSeconds, broadcastsPublished, broadcastsMissedDuringOutage,
        broadcastsMissedAfterRecovery, playersClosed);
    }
  }

  private final TestNode node;
  private final String map;
  /** Whether the gateway subscribes its deliveries sharded: broadcasts then go out as SPUBLISH. */
  private final boolean shardedDeliveries;
  private final List<Mover> movers = new ArrayList<>();
  private final AtomicLong broadcastsPublished = new AtomicLong();
  /** The broadcast numbers published once deliveries were seen back after the promotion. */
  private final Set<Long> publishedAfterRecovery = ConcurrentHashMap.newKeySet();
  private volatile boolean running = true;
  private volatile long killedAt = Long.MAX_VALUE;
  private volatile long promotedAt = Long.MAX_VALUE;
  private volatile long deliveriesBackAt = -1;

  FailoverUnderLoad(TestNode node, String map, int players) {
    this(node, map, players, false);
  }

  FailoverUnderLoad(TestNode node, String map, int players, boolean shardedDeliveries) {
    this.node = node;
    this.map = map;
    this.shardedDeliveries = shardedDeliveries;
    for (int i = 0; i < players; i++) {
      String player = Long.toString(8_000_000_000L + (long) (Math.random() * 1_000_000_000L));
      String token = node.signIn(player, map);
      TestClient client = node.client();
      client.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
      client.nextContaining("\"load\"");
      movers.add(new Mover(player, token, client));
    }
  }

  /**
   * Starts the load, kills a master once it runs, waits for the promotion (the supplier blocks until then) and
   * for the load to recover, checks every player and returns what was counted.
   */
  Report run(Runnable kill, IntSupplier awaitPromotion) throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    for (Mover m : movers) {
      Thread t = new Thread(m::loop, "mover-" + m.player);
      t.start();
      threads.add(t);
    }
    Thread broadcaster = new Thread(this::broadcast, "broadcaster");
    broadcaster.start();
    try {
      Thread.sleep(1_500);
      killedAt = System.nanoTime();
      System.out.println("[failover under load] the master is failed at " + java.time.LocalTime.now());
      kill.run();
      awaitPromotion.getAsInt();
      promotedAt = System.nanoTime();
      long deadline = promotedAt + RECOVERY_BOUND.toNanos();
      while (System.nanoTime() < deadline && !recovered()) {
        Thread.sleep(50);
      }
      assertTrue(recovered(), "every player's moves answered and broadcasts delivered again within "
        + RECOVERY_BOUND.toSeconds() + " s of the promotion: " + this);
    } finally {
      running = false;
      broadcaster.join(5_000);
      for (Thread t : threads) {
        t.join(5_000);
      }
    }
    Thread.sleep(500); // the last broadcasts' deliveries
    for (Mover m : movers) {
      m.drain();
    }
    Report report = report();
    System.out.println("[failover under load] " + report);
    check(report);
    return report;
  }

  private boolean recovered() {
    long enough = promotedAt + LOAD_AFTER_PROMOTION.toNanos();
    return deliveriesBackAt > 0 && movers.stream().allMatch(m -> m.lastAnsweredAt > enough)
      && System.nanoTime() > deliveriesBackAt + LOAD_AFTER_PROMOTION.toNanos();
  }

  private void broadcast() {
    long n = 0;
    while (running) {
      long number = ++n;
      boolean afterRecovery = deliveriesBackAt > 0;
      boolean published;
      try {
        String tick = "{\"tick\":" + number + "}";
        await(shardedDeliveries ? node.redis.spublish(RedisKeys.mapChannel(map), tick)
          : node.redis.publish(RedisKeys.mapChannel(map), tick), Duration.ofSeconds(2));
        published = true;
      } catch (AssertionError failedOrUnanswered) {
        published = false; // the master is down: not published, not counted
      }
      if (published) {
        broadcastsPublished.incrementAndGet();
        if (afterRecovery) {
          publishedAfterRecovery.add(number);
        }
      }
      sleep(50);
    }
  }

  private Report report() {
    long acknowledged = 0;
    long unanswered = 0;
    int lost = 0;
    int lostEarly = 0;
    long missedDuringOutage = 0;
    long missedAfterRecovery = 0;
    int closed = 0;
    long firstAnswerAfterKill = Long.MAX_VALUE;
    long lostFrom = Long.MAX_VALUE;
    long lostTo = Long.MIN_VALUE;
    for (Mover m : movers) {
      lostFrom = Math.min(lostFrom, m.lostFrom);
      lostTo = Math.max(lostTo, m.lostTo);
      acknowledged += m.answers.size();
      unanswered += m.unanswered;
      lost += m.lost;
      lostEarly += m.lostBeforeTheWindow;
      missedAfterRecovery += publishedAfterRecovery.stream().filter(t -> !m.ticks.contains(t)).count();
      missedDuringOutage += broadcastsPublished.get() - m.ticks.size();
      closed += m.client.isClosed() ? 1 : 0;
      firstAnswerAfterKill = Math.min(firstAnswerAfterKill, m.firstAnswerAfterPromotion);
    }
    return new Report(movers.size(), (promotedAt - killedAt) / 1e9,
      Math.max(0, firstAnswerAfterKill - promotedAt) / 1e9, Math.max(0, deliveriesBackAt - promotedAt) / 1e9,
      acknowledged, unanswered, lost, lostEarly, lost == 0 ? 0 : (lostFrom - killedAt) / 1e9,
      lost == 0 ? 0 : (lostTo - killedAt) / 1e9, broadcastsPublished.get(),
      Math.max(0, missedDuringOutage - missedAfterRecovery), missedAfterRecovery, closed);
  }

  private void check(Report report) {
    assertEquals(0, report.playersClosed(), "no player closed by the failover: " + report);
    assertEquals(0, report.acknowledgedMovesLostBeforeTheWindow(),
      "no acknowledged move lost but those Redis may lose in its replication window: " + report);
    assertTrue(report.acknowledgedMovesLost() == 0 || report.lostToSeconds() <= report.promotedSeconds(),
      "no move acknowledged once the Sentinels or the cluster agreed on the new master was lost: " + report);
    assertEquals(0, report.broadcastsMissedAfterRecovery(), "no broadcast missed once deliveries were back: " + report);
    Set<String> members = new HashSet<>();
    for (Response r : await(node.redis.zrange(List.of(RedisKeys.mapGeoSet(map), "0", "-1")))) {
      members.add(r.toString());
    }
    Set<String> tokens = new HashSet<>();
    for (Mover m : movers) {
      tokens.add(m.token);
      assertFalse(m.client.isClosed(), "no player closed");
      Response owner = await(node.redis.get(RedisKeys.sessionOwner(m.player)));
      assertTrue(owner != null && owner.toString().endsWith("|" + m.token), "still online: " + owner);
    }
    assertEquals(tokens, members, "every player still on its map");
  }

  void closeClients() {
    movers.forEach(m -> m.client.close());
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One player's closed loop of moves up, reading everything its socket receives. */
  private final class Mover {

    final String player;
    final String token;
    final TestClient client;
    /** Answered positions (y) with the time each was seen. */
    final List<double[]> answers = new ArrayList<>();
    final Set<Long> ticks = new HashSet<>();
    long unanswered;
    int lost;
    int lostBeforeTheWindow;
    long lostFrom = Long.MAX_VALUE;
    long lostTo = Long.MIN_VALUE;
    volatile long lastAnsweredAt = -1;
    volatile long firstAnswerAfterPromotion = Long.MAX_VALUE;

    Mover(String player, String token, TestClient client) {
      this.player = player;
      this.token = token;
      this.client = client;
    }

    void loop() {
      while (running && !client.isClosed()) {
        client.sendBinary(new JsonObject().put("action", "move/up"));
        if (!awaitOwnMove(System.nanoTime() + 1_000_000_000L)) {
          unanswered++;
        }
        sleep(20);
      }
    }

    void drain() {
      for (String text = client.nextText(1); text != null; text = client.nextText(1)) {
        take(text);
      }
    }

    private boolean awaitOwnMove(long deadline) {
      while (System.nanoTime() < deadline) {
        String text = client.nextText(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        if (text != null && take(text)) {
          return true;
        }
      }
      return false;
    }

    /** Records a message; whether it answers this player's move. */
    private boolean take(String text) {
      JsonObject m = new JsonObject(text);
      Long tick = m.getLong("tick");
      if (tick != null) {
        ticks.add(tick);
        if (deliveriesBackAt < 0 && System.nanoTime() > promotedAt) {
          deliveriesBackAt = System.nanoTime();
        }
        return false;
      }
      JsonArray players = m.getJsonArray("players");
      if (players == null || players.isEmpty()) {
        return false;
      }
      JsonObject p = players.getJsonObject(0);
      if (!player.equals(p.getValue("id").toString()) || !"move_up".equals(p.getString("action"))) {
        return false;
      }
      double y = p.getJsonArray("position").getDouble(1);
      long now = System.nanoTime();
      countLost(y);
      answers.add(new double[] {y, now});
      lastAnsweredAt = now;
      if (now > promotedAt && firstAnswerAfterPromotion == Long.MAX_VALUE) {
        firstAnswerAfterPromotion = now;
      }
      return true;
    }

    /**
     * A position not above the last answered one: the moves answered at or above it were written, acknowledged and
     * then lost (the service computed this one from what Redis still had).
     */
    private void countLost(double y) {
      if (answers.isEmpty() || y > answers.get(answers.size() - 1)[0]) {
        return;
      }
      for (int i = answers.size() - 1; i >= 0 && answers.get(i)[0] >= y; i--) {
        lost++;
        lostFrom = Math.min(lostFrom, (long) answers.get(i)[1]);
        lostTo = Math.max(lostTo, (long) answers.get(i)[1]);
        if (answers.get(i)[1] < killedAt - REPLICATION_WINDOW.toNanos()) {
          lostBeforeTheWindow++;
        }
      }
    }

    @Override
    public String toString() {
      return player + ": " + answers.size() + " answered, last at " + lastAnsweredAt;
    }
  }

  @Override
  public String toString() {
    return "map " + map + ", promoted at " + promotedAt + ", deliveries back at " + deliveriesBackAt + ", " + movers;
  }

  /** A map name of a fresh player set. */
  static String freshMap() {
    return "m" + UUID.randomUUID().toString().substring(0, 8);
  }
}
