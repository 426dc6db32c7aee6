package io.seedgate.common.redis;

import io.seedgate.testsupport.RedisClusterServers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A batch over keys of every master of a real three-master cluster, sent through the Vert.x client's cluster
 * connection: split by master with the slot map the cluster gives, and still whole when the map is out of date
 * (here: every slot said to be on one master, as after a resharding) because the client's refusal of a part makes
 * it go again by slot. Skipped, with the reason, where {@code redis-server} or {@code redis-cli} is missing.
 */
class SlotBatchesClusterTest {

  private static RedisClusterServers cluster;
  private static Vertx vertx;
  private static RedisConnection connection;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(RedisClusterServers.available(), RedisClusterServers::whyUnavailable);
    cluster = RedisClusterServers.start(3, 0);
    vertx = Vertx.vertx();
    connection = onContext(() -> Redis.createClient(vertx,
      RedisTopology.of("cluster", "", cluster.seeds(), null).commandOptions()).connect());
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aBatchOverEveryMasterGoesOnePartPerMaster() throws Exception {
    SlotMap map = onContext(() -> SlotMap.read(connection));
    assertEquals(3, map.masters());
    List<Request> batch = batchOverEveryMaster();
    assertEquals(3, SlotBatches.groups(batch, map).size(), "one part per master");
    assertWritten(batch, onContext(() -> SlotBatches.send(connection, batch, map)));
  }

  @Test
  void aBatchWhoseSlotMapIsOutOfDateGoesAgainBySlot() throws Exception {
    int[] stale = new int[HashSlots.COUNT];
    SlotMap oneMaster = SlotMap.of(stale); // every slot on master 0: wrong for two thirds of them
    List<Request> batch = batchOverEveryMaster();
    assertEquals(1, SlotBatches.groups(batch, oneMaster).size());
    assertWritten(batch, onContext(() -> SlotBatches.send(connection, batch, oneMaster)));
  }

  /** Thirty HSETs, each followed by a PUBLISH, with keys on every master. */
  private static List<Request> batchOverEveryMaster() {
    List<Request> batch = new ArrayList<>();
    Set<Integer> masters = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      String key = "sbc-" + UUID.randomUUID();
      masters.add(cluster.masterOf(key));
      batch.add(Request.cmd(Command.HSET).arg(key).arg("n").arg(i));
      batch.add(Request.cmd(Command.PUBLISH).arg("sbc-" + i).arg("x"));
    }
    assertEquals(3, masters.size(), "keys on every master");
    return batch;
  }

  private static void assertWritten(List<Request> batch, List<Response> replies) throws Exception {
    assertEquals(batch.size(), replies.size());
    for (int i = 0; i < batch.size(); i += 2) {
      assertEquals(1, replies.get(i).toInteger(), "HSET " + i + " wrote its field");
      String key = new String(((io.vertx.redis.client.impl.RequestImpl) batch.get(i)).keys().get(0));
      Response n = onContext(() -> connection.send(Request.cmd(Command.HGET).arg(key).arg("n")));
      assertEquals(Integer.toString(i / 2), n.toString(), "in Redis: " + Arrays.asList(key, n));
    }
  }

  private static <T> T onContext(Supplier<Future<T>> action) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    vertx.runOnContext(v -> action.get().onComplete(ar -> {
      if (ar.succeeded()) {
        result.complete(ar.result());
      } else {
        result.completeExceptionally(ar.cause());
      }
    }));
    return result.get(20, TimeUnit.SECONDS);
  }
}
