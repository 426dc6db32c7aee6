package io.seedgate.examples;

import io.seedgate.common.embedded.BackingServices;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Test access to a real Redis: the one at {@code -Dexample.test.redis} (default {@value #LOCAL}) when it
 * answers, else an embedded one. Blocking helpers (on {@link io.seedgate.testsupport.Await}).
 */
final class TestRedis {

  static final String LOCAL = "redis://127.0.0.1:6379";
  static final long WAIT_MS = 5_000;
  private static String url;

  private TestRedis() {
  }

  static synchronized String url() {
    if (url == null) {
      String configured = System.getProperty("example.test.redis", LOCAL);
      url = BackingServices.reachable(configured, 6379) ? configured : BackingServices.embeddedRedis();
    }
    return url;
  }

  static Response send(Redis redis, Command command, Object... args) {
    Request request = Request.cmd(command);
    for (Object arg : args) {
      request.arg(String.valueOf(arg));
    }
    return await(redis.send(request));
  }

  /** One Pub/Sub message received by a {@link Listener}. */
  record Message(String channel, String payload) {
    JsonObject json() {
      return new JsonObject(payload);
    }
  }

  /** A subscriber on its own connection that queues what it receives. */
  static final class Listener implements AutoCloseable {

    private final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    private final Redis client;
    private final RedisConnection connection;

    private Listener(Redis client, RedisConnection connection) {
      this.client = client;
      this.connection = connection;
    }

    /** Subscribes and returns once Redis confirmed every channel. */
    static Listener subscribe(Vertx vertx, String... channels) throws InterruptedException {
      Redis client = Redis.createClient(vertx, url());
      RedisConnection connection = await(client.connect());
      Listener listener = new Listener(client, connection);
      CountDownLatch confirmed = new CountDownLatch(channels.length);
      connection.handler(r -> {
        if ((r.type() == ResponseType.PUSH || r.type() == ResponseType.MULTI) && r.size() >= 3) {
          String kind = r.get(0).toString();
          if ("message".equals(kind)) {
            Buffer payload = r.get(2).toBuffer();
            listener.messages.add(new Message(r.get(1).toString(), payload.toString()));
          } else if ("subscribe".equals(kind)) {
            confirmed.countDown();
          }
        }
      });
      Request subscribe = Request.cmd(Command.SUBSCRIBE);
      for (String channel : channels) {
        subscribe.arg(channel);
      }
      await(connection.send(subscribe));
      assertTrue(confirmed.await(WAIT_MS, TimeUnit.MILLISECONDS), "subscription not confirmed");
      return listener;
    }

    /** The next message; fails the test when none comes within {@value #WAIT_MS} ms. */
    Message next() throws InterruptedException {
      Message m = messages.poll(WAIT_MS, TimeUnit.MILLISECONDS);
      assertNotNull(m, "no message within " + WAIT_MS + " ms");
      return m;
    }

    /** The next message on {@code channel}, skipping others. */
    Message next(String channel) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
      while (true) {
        long left = deadline - System.nanoTime();
        Message m = messages.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
        assertNotNull(m, "no message on '" + channel + "' within " + WAIT_MS + " ms");
        if (m.channel().equals(channel)) {
          return m;
        }
      }
    }

    @Override
    public void close() {
      connection.close().eventually(client::close);
    }
  }
}
