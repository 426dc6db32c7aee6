package io.seedgate.persistence;

import io.seedgate.common.GatewayException;
import io.seedgate.common.redis.RedisEndpoint;
import io.seedgate.persistence.resp.RespConnection;
import io.seedgate.persistence.resp.RespReplies;
import io.seedgate.persistence.resp.RespRequests;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.NetServer;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static io.seedgate.testsupport.Await.await;
import static io.seedgate.testsupport.Await.failureOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The flush's bulk-read connection against the real Redis (in the test JVM's own database). */
class RespConnectionTest extends TestSupport {

  /** Connects from an event loop, as the flush does: the connection's handlers then all run there. */
  private Future<RespConnection> connecting(String url, long timeoutMs) {
    Promise<RespConnection> connected = Promise.promise();
    RedisEndpoint endpoint = RedisEndpoint.parse(url);
    vertx.runOnContext(v -> RespConnection.connect(vertx, endpoint, "test", timeoutMs).onComplete(connected));
    return connected.future();
  }

  private RespConnection connect(String url, long timeoutMs) {
    return await(connecting(url, timeoutMs));
  }

  @Test
  void readsHashesPositionsAndPerCommandErrorsInTheSelectedDatabase() {
    String token = newToken();
    String player = newPlayer();
    String map = newMap();
    putPlayer(token, player, map, 12.3, 45.6, false, java.util.Map.of("hp", "100", "name", "\u00e9l\u00e8ve"));
    String notAHash = newToken();
    redis(Command.SET, notAHash, "a string");

    RespConnection c = connect(redisUrl, 5_000);
    RespReplies r = await(c.send(new RespRequests()
      .command(2).arg("HGETALL").arg(token)
      .command(2).arg("HGETALL").arg(notAHash)
      .command(2).arg("HGETALL").arg(newToken())
      .command(4).arg("GEOPOS").arg("map:" + map).arg(token).arg("nobody")));
    assertEquals(4, r.count());

    int hash = r.reply(0);
    assertEquals(10, r.size(hash), "id, map_id, token, hp, name");
    assertEquals(player, RedisPlayerReader.field(r, hash, "id"), "the hash is in the test's database");
    assertEquals("\u00e9l\u00e8ve", RedisPlayerReader.field(r, hash, "name"));
    assertTrue(r.isError(r.reply(1)));
    assertTrue(r.string(r.reply(1)).startsWith("WRONGTYPE"));
    assertEquals(0, r.size(r.reply(2)), "no hash: empty");
    int found = r.first(r.reply(3));
    assertEquals(12.3, Double.parseDouble(r.string(r.first(found))), 1e-5);
    assertEquals(45.6, Double.parseDouble(r.string(r.next(r.first(found)))), 1e-5);
    assertEquals(RespReplies.NULL, r.type(r.next(found)), "not on the map");
    await(c.close());
  }

  @Test
  void manyBatchesInFlightComeBackInOrder() {
    RespConnection c = connect(redisUrl, 5_000);
    java.util.List<io.vertx.core.Future<RespReplies>> sent = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      RespRequests batch = new RespRequests();
      for (int k = 0; k < 50; k++) {
        batch.command(2).arg("ECHO").arg("batch-" + i + "-" + k + "-" + "x".repeat(k * 40));
      }
      sent.add(c.send(batch));
    }
    for (int i = 0; i < sent.size(); i++) {
      RespReplies r = await(sent.get(i));
      assertEquals(50, r.count());
      for (int k = 0; k < 50; k++) {
        assertEquals("batch-" + i + "-" + k + "-" + "x".repeat(k * 40), r.string(r.reply(k)));
      }
    }
    await(c.close());
  }

  @Test
  void aRefusedPasswordFailsTheConnect() {
    String url = redisUrl.replace("redis://", "redis://nobody:wrong@");
    Throwable e = failureOf(connecting(url, 5_000));
    assertTrue(e.getMessage().contains("refused"), e.getMessage());
  }

  @Test
  void aSilentServerFailsTheBatchAfterTheTimeoutAndClosesTheConnection() throws Exception {
    NetServer silent = vertx.createNetServer().connectHandler(socket -> { });
    int port = silent.listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS).actualPort();
    RespConnection c = connect("redis://127.0.0.1:" + port, 300);
    long start = System.nanoTime();
    Throwable e = failureOf(c.send(new RespRequests().command(1).arg("PING")));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertInstanceOf(GatewayException.class, e);
    assertTrue(e.getMessage().contains("no reply within 300 ms"), e.getMessage());
    assertTrue(ms >= 250, "waited " + ms + " ms");
    assertFalse(c.isOpen());
    assertTrue(failureOf(c.send(new RespRequests().command(1).arg("PING"))).getMessage().contains("not connected"));
    await(c.close()); // its client was closed with the connection: closing again completes at once
    await(silent.close());
  }

  @Test
  void garbageFromTheServerFailsTheBatchAndClosesTheConnection() throws Exception {
    NetServer liar = vertx.createNetServer().connectHandler(socket -> socket.handler(b -> socket.write("?what\r\n")));
    int port = liar.listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS).actualPort();
    RespConnection c = connect("redis://127.0.0.1:" + port, 5_000);
    Throwable e = failureOf(c.send(new RespRequests().command(1).arg("PING")));
    assertTrue(e.getMessage().contains("protocol error"), e.getMessage());
    assertFalse(c.isOpen());
    await(liar.close());
  }

  @Test
  void aKilledConnectionFailsWhatWaitsOnIt() {
    RespConnection c = connect(redisUrl, 5_000);
    RespReplies id = await(c.send(new RespRequests().command(2).arg("CLIENT").arg("ID")));
    long clientId = id.toLong(id.reply(0));
    redis(Command.CLIENT, "KILL", "ID", clientId);
    Throwable e = failureOf(c.send(new RespRequests().command(3).arg("BLPOP").arg(newToken()).arg(2)));
    assertInstanceOf(GatewayException.class, e);
    assertFalse(c.isOpen());
  }
}
