package io.seedgate.common.redis;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What each {@code redis.mode} makes of the Redis settings, and how a cluster's batch is split by hash slot. */
class RedisTopologyTest {

  @Test
  void standaloneIsTheServerOfTheUrlForCommandsAndSubscribers() {
    RedisTopology t = RedisTopology.of("standalone", "redis://:pw@10.0.0.1:6380/2", List.of("redis://ignored"), "m");
    assertEquals(RedisTopology.Mode.STANDALONE, t.mode());
    assertFalse(t.sharded());
    RedisOptions commands = t.commandOptions();
    assertEquals(RedisClientType.STANDALONE, commands.getType());
    assertEquals("redis://10.0.0.1:6380/2", commands.getEndpoint());
    assertEquals("pw", commands.getPassword());
    assertEquals(1, t.subscriberOptions().size());
  }

  @Test
  void aClusterSendsCommandsBySlotAndSubscribesOnOneSeedAtATime() {
    RedisTopology t = RedisTopology.of("cluster", "", List.of("redis://:pw@10.0.0.1:7000", "redis://:pw@10.0.0.2:7000"),
      "m");
    assertTrue(t.sharded());
    RedisOptions commands = t.commandOptions();
    assertEquals(RedisClientType.CLUSTER, commands.getType());
    assertEquals(List.of("redis://10.0.0.1:7000", "redis://10.0.0.2:7000"), commands.getEndpoints());
    assertEquals("pw", commands.getPassword());
    List<RedisOptions> subscribers = t.subscriberOptions();
    assertEquals(2, subscribers.size(), "one choice per seed, tried in turn");
    assertEquals(RedisClientType.STANDALONE, subscribers.get(1).getType());
    assertEquals("redis://10.0.0.2:7000", subscribers.get(1).getEndpoint());
    assertEquals("pw", subscribers.get(1).getPassword());
  }

  @Test
  void sentinelAsksForTheMasterAndFollowsFailoversByReconnecting() {
    RedisTopology t = RedisTopology.of("sentinel", "", List.of("redis://10.0.0.1:26379"), "game");
    RedisOptions commands = t.commandOptions();
    assertEquals(RedisClientType.SENTINEL, commands.getType());
    assertEquals("game", commands.getMasterName());
    assertEquals(RedisRole.MASTER, commands.getRole());
    assertFalse(commands.isAutoFailover(), "the client's own swap would keep neither handlers nor subscriptions");
    assertFalse(t.sharded());
  }

  @Test
  void aModeWithoutEndpointsOrAClusterWithADatabaseIsRefused() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> RedisTopology.of("cluster", "", List.of(), "m"))
      .getMessage().contains("redis.endpoints is empty"));
    assertTrue(assertThrows(IllegalArgumentException.class,
      () -> RedisTopology.of("cluster", "", List.of("redis://h:7000/3"), "m")).getMessage().contains("database 0"));
  }

  @Test
  void aBatchSplitsBySlotKeepingOrderAndAKeylessCommandWithTheKeyedOneBeforeIt() {
    // {a} and {b} tags put the keys of a player in one slot; "a" and "b" themselves are on other slots
    List<Request> batch = List.of(
      Request.cmd(Command.PUBLISH).arg("leading").arg("x"),          // 0: keyless, before any key
      Request.cmd(Command.HSET).arg("{a}:h").arg("f").arg("v"),        // 1
      Request.cmd(Command.PUBLISH).arg("actions").arg("1"),          // 2: follows 1
      Request.cmd(Command.HSET).arg("{b}:h").arg("f").arg("v"),        // 3
      Request.cmd(Command.PUBLISH).arg("actions").arg("2"),          // 4: follows 3
      Request.cmd(Command.GEOADD).arg("{a}:map").arg("1").arg("2").arg("m"), // 5: back to {a}
      Request.cmd(Command.EVAL).arg("return 1").arg(1).arg("{b}:lock").arg("v")); // 6: a script's key
    Map<Integer, List<Integer>> groups = SlotBatches.groups(batch);
    assertEquals(2, groups.size(), groups.toString());
    assertEquals(List.of(List.of(0, 1, 2, 5), List.of(3, 4, 6)), List.copyOf(groups.values()));
    assertEquals(SlotBatches.slotOf(Request.cmd(Command.GET).arg("a")), SlotBatches.slotOf(batch.get(1)));
  }

  @Test
  void withASlotMapTheBatchSplitsByMasterKeepingEachMastersCommandsInOrder() {
    int slotA = HashSlots.of("{a}");
    int slotB = HashSlots.of("{b}");
    int slotC = HashSlots.of("{c}");
    // {a} and {c} on one master, {b} on another
    int[] masters = new int[HashSlots.COUNT];
    java.util.Arrays.fill(masters, -1);
    masters[slotA] = 0;
    masters[slotC] = 0;
    masters[slotB] = 1;
    SlotMap map = SlotMap.of(masters);
    List<Request> batch = List.of(
      Request.cmd(Command.HSET).arg("{a}:h").arg("f").arg("v"),        // 0
      Request.cmd(Command.PUBLISH).arg("actions").arg("1"),          // 1: follows 0
      Request.cmd(Command.HSET).arg("{b}:h").arg("f").arg("v"),        // 2
      Request.cmd(Command.HSET).arg("{c}:h").arg("f").arg("v"),        // 3: {a}'s master
      Request.cmd(Command.PUBLISH).arg("actions").arg("2"));         // 4: follows 3
    assertEquals(List.of(List.of(0, 1, 3, 4), List.of(2)), List.copyOf(SlotBatches.groups(batch, map).values()));
    assertEquals(3, SlotBatches.groups(batch).size(), "by slot without the map");
  }
}
