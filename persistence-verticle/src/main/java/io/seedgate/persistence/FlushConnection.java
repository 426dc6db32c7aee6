package io.seedgate.persistence;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The flush's own Redis connection, opened when a cycle starts ({@link #open()}) and again after it was lost: a
 * failed cycle is retried anyway, so it needs no reconnect loop of its own.
 *
 * <p>It speaks RESP2: an {@code HGETALL} reply is then a flat array rather than a map, which spares the client a
 * hash table (and the decoding of every field name) per player: about a sixth of the flush's event-loop CPU in
 * {@code FlushBenchmark}. {@link Fingerprint} gives the same value for both forms.
 */
final class FlushConnection implements RedisCommands {

  private static final Logger LOG = LoggerFactory.getLogger(FlushConnection.class);

  private final Redis client;
  private final String name;
  private RedisConnection connection;

  FlushConnection(Vertx vertx, String url, String name) {
    this.name = name;
    this.client = Redis.createClient(vertx, new RedisOptions()
      .setConnectionString(url)
      .setPreferredProtocolVersion(ProtocolVersion.RESP2)
      .setMaxWaitingHandlers(1 << 16));
  }

  /** Connects unless connected; fails when Redis cannot be reached. */
  Future<Void> open() {
    if (connection != null) {
      return Future.succeededFuture();
    }
    return client.connect().map(c -> {
      connection = c;
      c.exceptionHandler(e -> {
        LOG.warn("[redis: {}] connection error: {}", name, e.getMessage());
        lost(c);
      });
      c.endHandler(v -> lost(c));
      return null;
    });
  }

  private void lost(RedisConnection c) {
    if (connection == c) {
      connection = null;
      c.close();
    }
  }

  @Override
  public Future<Response> send(Request request) {
    RedisConnection c = connection;
    return c == null ? down() : c.send(request);
  }

  @Override
  public Future<List<Response>> batch(List<Request> requests) {
    RedisConnection c = connection;
    return c == null ? down() : c.batch(requests);
  }

  @Override
  public boolean connected() {
    return connection != null;
  }

  Future<Void> close() {
    RedisConnection c = connection;
    connection = null;
    return (c == null ? Future.<Void>succeededFuture() : c.close()).eventually(client::close);
  }

  private <T> Future<T> down() {
    return Future.failedFuture(new GatewayException(ErrorCode.UNAVAILABLE, "redis connection '" + name + "' is down"));
  }
}
