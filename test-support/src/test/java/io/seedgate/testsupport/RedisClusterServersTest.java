package io.seedgate.testsupport;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Real redis-server processes in a cluster (skipped where redis-server or redis-cli is not on the PATH). */
class RedisClusterServersTest {

  private static final List<String> KEYS = List.of("foo", "seed:player:42", "{user1000}.following",
    "{user1000}.followers", "a{}b", "{}{x}", "x{y", "{{z}}", "é-ü-日本", "");

  @BeforeAll
  static void binaries() {
    assumeTrue(RedisClusterServers.available(), RedisClusterServers::whyUnavailable);
  }

  @Test
  void slotOfIsCrc16XmodemOfTheHashTag() {
    assertEquals(12739, RedisClusterServers.crc16("123456789".getBytes(), 0, 9)); // 0x31C3, XMODEM's check value
    assertEquals(12182, RedisClusterServers.slotOf("foo"));
    assertEquals(RedisClusterServers.slotOf("user1000"), RedisClusterServers.slotOf("{user1000}.following"));
    assertEquals(RedisClusterServers.slotOf("{user1000}.following"), RedisClusterServers.slotOf("x{user1000}"));
    assertEquals(0, RedisClusterServers.slotOf(""));
  }

  @Test
  @Timeout(60)
  void keysGoToTheMasterOfTheirSlotWhichSaysSoAndOthersAnswerMoved() throws Exception {
    Path dir;
    List<Integer> ports;
    try (RedisClusterServers cluster = RedisClusterServers.start(3, 1)) {
      dir = cluster.dir();
      ports = cluster.ports();
      assertEquals(6, ports.size());
      assertEquals(3, cluster.masters().size(), cluster.toString());
      assertEquals(3, cluster.replicas().size(), cluster.toString());
      for (int master : cluster.masters()) {
        assertEquals(1, cluster.replicasOf(master).size(), "replicas of " + master);
      }
      assertEquals(6, cluster.seeds().size());
      assertTrue(cluster.seeds().get(0).matches("redis://127\\.0\\.0\\.1:\\d+"), cluster.seeds().get(0));

      for (String key : KEYS) {
        assertEquals(cluster.call(ports.get(0), "CLUSTER", "KEYSLOT", key), (long) RedisClusterServers.slotOf(key), key);
      }
      Set<Integer> served = new HashSet<>();
      for (int slot : new int[] {0, 5460, 5461, 10922, 10923, 16383}) {
        served.add(cluster.portForSlot(slot));
      }
      assertEquals(Set.copyOf(cluster.masters()), served);

      String key = "seed:player:42";
      int master = cluster.masterOf(key);
      assertEquals("OK", cluster.call(master, "SET", key, "here"));
      assertEquals("here", cluster.call(master, "GET", key));
      int other = cluster.masters().stream().filter(p -> p != master).findFirst().orElseThrow();
      Resp.ErrorReply moved = assertThrows(Resp.ErrorReply.class, () -> cluster.call(other, "GET", key));
      assertEquals("MOVED " + RedisClusterServers.slotOf(key) + " 127.0.0.1:" + master, moved.reply());
    }
    assertFalse(Files.exists(dir), dir + " deleted");
    assertNoRedisServerLeft(ports);
  }

  @Test
  @Timeout(60)
  void aKilledMastersReplicaTakesOverItsSlotsAndTheMasterComesBackAsItsReplica() throws Exception {
    List<Integer> ports;
    try (RedisClusterServers cluster = RedisClusterServers.start(3, 1)) {
      ports = cluster.ports();
      String key = "{seed}:failover";
      int master = cluster.masterOf(key);
      int replica = cluster.replicasOf(master).get(0);
      assertEquals("OK", cluster.call(master, "SET", key, "kept"));
      assertEquals(1L, cluster.call(master, "WAIT", "1", "5000"), "the replica has it");

      long killedAt = System.nanoTime();
      cluster.kill(master);
      assertThrows(IOException.class, () -> cluster.call(master, "PING"));
      int promoted = cluster.awaitFailover(master, Duration.ofSeconds(30));
      long failoverMs = (System.nanoTime() - killedAt) / 1_000_000;

      assertEquals(replica, promoted);
      assertEquals("master", ((List<?>) cluster.call(promoted, "ROLE")).get(0));
      assertEquals(promoted, cluster.masterOf(key));
      assertEquals("kept", cluster.call(promoted, "GET", key));
      for (int port : cluster.ports()) {
        if (port != master) {
          assertTrue(((String) cluster.call(port, "CLUSTER", "INFO")).contains("cluster_state:ok"), port + " ok");
        }
      }
      assertFalse(cluster.masters().contains(master));
      System.out.println("failover took " + failoverMs + " ms");

      cluster.restart(master);
      assertEquals(List.of(master), cluster.replicasOf(promoted));
      assertEquals(promoted, cluster.masterOf(key));
    }
    assertNoRedisServerLeft(ports);
  }

  /** No child process of this JVM is left, and nothing answers on the cluster's ports. */
  static void assertNoRedisServerLeft(List<Integer> ports) {
    List<String> left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
      .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
    assertEquals(List.of(), left, "child processes left");
    for (int port : ports) {
      assertThrows(IOException.class, () -> Resp.call("127.0.0.1", port, 200, 200, List.of(List.of("PING"))),
        port + " still answers");
    }
  }
}
