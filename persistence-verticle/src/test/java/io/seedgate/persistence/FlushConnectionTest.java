package io.seedgate.persistence;

import io.seedgate.common.redis.RedisTopology;
import io.seedgate.persistence.resp.RespReplies;
import io.seedgate.persistence.resp.RespRequests;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.function.Supplier;

import static io.seedgate.testsupport.Await.await;
import static io.seedgate.testsupport.Await.failureOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The flush's two connections reach the same Redis, database and credentials: one {@link RedisTopology}. */
class FlushConnectionTest extends TestSupport {

  @Test
  void bothConnectionsUseTheEndpointsDatabase() {
    String key = "seed-test:flush-connection:" + UUID.randomUUID();
    redis(Command.SET, key, "in the test's database");
    FlushConnection c = new FlushConnection(vertx, RedisTopology.standalone(redisUrl), "test");
    try {
      await(onContext(c::open));
      assertEquals("in the test's database", await(onContext(() -> c.send(Request.cmd(Command.GET).arg(key))))
        .toString(), "the Vert.x connection");
      RespReplies r = await(onContext(() -> c.read(new RespRequests().command(2).arg("GET").arg(key))));
      assertEquals("in the test's database", r.string(r.reply(0)), "the RESP connection");
    } finally {
      redis(Command.DEL, key);
      await(onContext(c::close));
    }
  }

  @Test
  void theVertxConnectionSendsTheEndpointsCredentialsToo() {
    FlushConnection c = new FlushConnection(vertx,
      RedisTopology.standalone(redisUrl.replace("redis://", "redis://nobody:wrong@")), "test");
    Throwable e = failureOf(onContext(c::open));
    assertTrue(e.getMessage().contains("WRONGPASS"), e.getMessage());
    await(onContext(c::close));
  }

  /** Runs on an event loop, as the flush does. */
  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    Promise<T> result = Promise.promise();
    vertx.runOnContext(v -> action.get().onComplete(result));
    return result.future();
  }
}
