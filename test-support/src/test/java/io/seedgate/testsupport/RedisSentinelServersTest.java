package io.seedgate.testsupport;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Real redis-server processes, three of them sentinels (skipped where redis-server is not on the PATH). */
class RedisSentinelServersTest {

  @BeforeAll
  static void binaries() {
    assumeTrue(RedisSentinelServers.available(), RedisSentinelServers::whyUnavailable);
  }

  @Test
  @Timeout(60)
  void theSentinelsPromoteTheReplicaOfAKilledMaster() throws Exception {
    Path dir;
    List<Integer> ports = new ArrayList<>();
    try (RedisSentinelServers set = RedisSentinelServers.start("seed-test")) {
      dir = set.dir();
      assertEquals("seed-test", set.masterName());
      assertEquals(3, set.sentinels().size());
      assertTrue(set.sentinels().get(0).matches("redis://127\\.0\\.0\\.1:\\d+"), set.sentinels().get(0));
      int master = set.masterPort();
      int replica = set.replicaPort();
      assertNotEquals(master, replica);
      ports.addAll(set.sentinelPorts());
      ports.add(master);
      ports.add(replica);
      assertEquals("master", ((List<?>) set.call(master, "ROLE")).get(0));
      assertEquals("slave", ((List<?>) set.call(replica, "ROLE")).get(0));
      assertEquals("OK", set.call(master, "SET", "seed:k", "v"));
      assertEquals(1L, set.call(master, "WAIT", "1", "5000"), "the replica has it");

      long killedAt = System.nanoTime();
      assertEquals(master, set.killMaster());
      assertThrows(IOException.class, () -> set.call(master, "PING"));
      int promoted = set.awaitFailover(Duration.ofSeconds(30));
      System.out.println("failover took " + (System.nanoTime() - killedAt) / 1_000_000 + " ms");

      assertEquals(replica, promoted);
      assertEquals(promoted, set.masterPort());
      assertEquals("master", ((List<?>) set.call(promoted, "ROLE")).get(0));
      assertEquals("v", set.call(promoted, "GET", "seed:k"));
      assertEquals("OK", set.call(promoted, "SET", "seed:k", "w"));
    }
    assertFalse(Files.exists(dir), dir + " deleted");
    RedisClusterServersTest.assertNoRedisServerLeft(ports);
  }
}
