package io.seedgate.common.redis;

import io.seedgate.testsupport.RedisSentinelServers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A link to the master the Sentinels name is only ever to a master: when they name a node that is a replica (for a
 * moment after a failover, or an old master that came back), the connection is refused and tried again later,
 * rather than used for writes the replica refuses. Over real processes: a master, its replica, three Sentinels.
 */
class SentinelLinkTest {

  private static RedisSentinelServers sentinels;
  private static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(RedisSentinelServers.available(), RedisSentinelServers::whyUnavailable);
    sentinels = RedisSentinelServers.start();
    vertx = Vertx.vertx();
    // a second name the Sentinels watch, whose "master" is in truth the replica
    for (int port : sentinels.sentinelPorts()) {
      sentinels.call(port, "SENTINEL", "MONITOR", "not-a-master", "127.0.0.1",
        Integer.toString(sentinels.replicaPort()), "2");
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (sentinels != null) {
      sentinels.close();
    }
  }

  @Test
  void aLinkToTheNamedMasterWritesThere() throws Exception {
    RedisLink link = onContext(() -> RedisLink.connect(vertx, topology(sentinels.masterName()), "test"));
    assertEquals("OK", onContext(() -> link.send(Request.cmd(Command.SET).arg("sentinel-link-test").arg("1")))
      .toString());
    onContext(link::close);
  }

  @Test
  void aLinkToANamedNodeThatIsAReplicaIsRefused() {
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
      () -> onContext(() -> RedisLink.connect(vertx, topology("not-a-master"), "test")));
    assertTrue(e.getCause().getMessage().contains("not the master"), e.getCause().getMessage());
  }

  private static RedisTopology topology(String masterName) {
    return RedisTopology.of("sentinel", "", sentinels.sentinels(), masterName);
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
