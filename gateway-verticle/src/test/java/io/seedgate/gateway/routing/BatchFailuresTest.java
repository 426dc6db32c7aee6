package io.seedgate.gateway.routing;

import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.seedgate.common.embedded.BackingServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.seedgate.testsupport.Await.await;
import static io.seedgate.testsupport.Await.failureOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The coalesced actions of an event-loop turn share one batch, so one refused command must fail only its own action:
 * checked against a real Redis that the Vert.x client still names the refused commands in a batch's failure.
 */
class BatchFailuresTest {

  @Test
  void aBatchFailureNamesExactlyTheCommandsRedisRefused() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      NodeConfig config = BackingServices.resolve(NodeConfig.defaults());
      Redis client = Redis.createClient(vertx, config.get(Settings.REDIS_URL));
      RedisConnection c = await(client.connect());
      String notAHash = "batch-failures-" + UUID.randomUUID();
      await(c.send(Request.cmd(Command.SET).arg(notAHash).arg("a string")));
      try {
        List<Request> batch = List.of(
          Request.cmd(Command.HSET).arg("batch-failures-ok-" + UUID.randomUUID()).arg("f").arg("v"),
          Request.cmd(Command.PUBLISH).arg("batch-failures").arg("m"),
          Request.cmd(Command.HSET).arg(notAHash).arg("f").arg("v"),
          Request.cmd(Command.PUBLISH).arg("batch-failures").arg("m"),
          Request.cmd(Command.HSET).arg(notAHash).arg("g").arg("v"));
        Throwable failure = failureOf(c.batch(batch));
        BitSet refused = BatchFailures.refused(failure, batch.size());
        BitSet expected = new BitSet();
        expected.set(2);
        expected.set(4);
        assertEquals(expected, refused, "from: " + failure);
      } finally {
        await(c.send(Request.cmd(Command.DEL).arg(notAHash)));
        c.close();
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aFailureThatNamesNoCommandFailsThemAll() {
    assertNull(BatchFailures.refused(new IllegalStateException("redis link 'x' is down"), 4));
    assertNull(BatchFailures.refused(new IllegalStateException("ERR [7] out of range"), 4));
    assertNull(BatchFailures.refused(null, 4));
  }
}
