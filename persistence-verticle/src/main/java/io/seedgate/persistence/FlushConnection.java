package io.seedgate.persistence;

import io.seedgate.common.Failures;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.seedgate.common.redis.RedisTopology;
import io.seedgate.common.redis.SlotBatches;
import io.seedgate.persistence.resp.RespConnection;
import io.seedgate.persistence.resp.RespReplies;
import io.seedgate.persistence.resp.RespRequests;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The flush's own Redis connections, opened when a cycle starts ({@link #open()}) and again after one was lost: a
 * failed cycle is retried anyway, so they need no reconnect loop of their own (as a subscriber's
 * {@link io.seedgate.common.redis.RedisLink} does). Both go to the same {@link RedisEndpoint}, read once.
 *
 * <p>Commands (the lock, the scan of the unsaved set, clean-up scripts, probes) go over a Vert.x Redis connection.
 * The bulk reads ({@link #read}: the online shards, then every online player's hash and position, each cycle; the
 * saves on leave read the same way) go over a {@link RespConnection} of the flush's own, which parses replies in
 * place. Through the Vert.x client, decoding those replies (a {@code Response} and a buffer copied per value) and
 * encoding the requests took about half of the flush's event-loop time: measured with {@code FlushBenchmark}, see
 * the persistence section of BENCHMARKS.md ("Persistence (FlushBenchmark, ...)", where the bulk reads moved to
 * {@code resp.RespConnection}).
 *
 * <p>On a Redis Cluster or behind Sentinel ({@link RedisTopology}) there is no RESP connection: the commands go
 * through the Vert.x client's cluster or Sentinel connection (a batch split by hash slot, {@link SlotBatches}), and so
 * do the bulk reads, each command on its own (every key on its own master), the replies handed to the readers as
 * the RESP connection would ({@link RespReplies#of}), a refused command as its error reply.
 *
 * <p>That connection knows only what these reads need (RESP2, pipelined batches, no Pub/Sub, no reconnect), so it
 * stays confined here: {@code ArchitectureTest} (node module) checks that {@code io.seedgate.persistence.resp} is
 * used only from this package and that this class alone opens a {@link RespConnection}. Everything else talks to
 * Redis through the Vert.x client.
 */
final class FlushConnection implements RedisCommands {

  private static final Logger LOG = LoggerFactory.getLogger(FlushConnection.class);

  /** How long a bulk read may wait for its replies before the connection is dropped. */
  static final long READ_TIMEOUT_MS = 30_000;

  private final Vertx vertx;
  private final Redis client;
  private final RedisTopology topology;
  private final String name;
  private RedisConnection connection;
  private RespConnection reads;
  private Future<Void> opening;

  FlushConnection(Vertx vertx, RedisTopology topology, String name) {
    this.vertx = vertx;
    this.topology = topology;
    this.name = name;
    this.client = Redis.createClient(vertx, topology.commandOptions()
      .setPreferredProtocolVersion(ProtocolVersion.RESP2)
      .setMaxWaitingHandlers(1 << 16));
  }

  /** Connects what is not connected; fails when Redis cannot be reached. Concurrent calls share one attempt. */
  Future<Void> open() {
    if (connection != null && (!readsOwnConnection() || reads != null && reads.isOpen())) {
      return Future.succeededFuture();
    }
    if (opening != null) {
      return opening;
    }
    Future<Void> attempt = openCommands().compose(v -> openReads());
    if (!attempt.isComplete()) {
      opening = attempt;
      attempt.onComplete(ar -> opening = null);
    }
    return attempt;
  }

  private Future<Void> openCommands() {
    if (connection != null) {
      return Future.succeededFuture();
    }
    return client.connect().map(c -> {
      connection = c;
      c.exceptionHandler(e -> {
        Failures.warn(LOG, "[redis: {}] connection error: {}", name, e);
        lost(c);
      });
      c.endHandler(v -> lost(c));
      return null;
    });
  }

  /** Whether the bulk reads have a RESP connection of their own: to a standalone server only. */
  private boolean readsOwnConnection() {
    return topology.mode() == RedisTopology.Mode.STANDALONE;
  }

  private Future<Void> openReads() {
    if (!readsOwnConnection() || reads != null && reads.isOpen()) {
      return Future.succeededFuture();
    }
    return RespConnection.connect(vertx, topology.standalone(), name + "-reads", READ_TIMEOUT_MS).map(c -> {
      reads = c;
      return null;
    });
  }

  /**
   * Sends a batch of bulk reads.
   *
   * @return the replies; fails at once when not {@link #open() open}, or when the connection is lost meanwhile
   */
  Future<RespReplies> read(RespRequests requests) {
    if (!readsOwnConnection()) {
      return readThroughClient(requests);
    }
    RespConnection c = reads;
    return c == null || !c.isOpen() ? down() : c.send(requests);
  }

  /**
   * The bulk reads through the client's cluster or Sentinel connection: each command sent on its own, a refused
   * one answered by its error reply as on the RESP connection; any other failure (a lost connection) fails them all.
   */
  private Future<RespReplies> readThroughClient(RespRequests requests) {
    RedisConnection c = connection;
    if (c == null) {
      return down();
    }
    List<Future<Response>> sent = requests.toClientRequests().stream().map(c::send).toList();
    return Future.join(sent).transform(ar -> {
      List<Response> replies = new ArrayList<>(sent.size());
      for (Future<Response> f : sent) {
        if (f.succeeded()) {
          replies.add(f.result());
        } else if (f.cause() instanceof Response error && error.type() == ResponseType.ERROR) {
          replies.add(error);
        } else {
          return Future.failedFuture(f.cause());
        }
      }
      return Future.succeededFuture(RespReplies.of(replies));
    }).timeout(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
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
    return c == null ? down() : topology.sharded() ? SlotBatches.send(c, requests) : c.batch(requests);
  }

  Future<Void> close() {
    RedisConnection c = connection;
    connection = null;
    RespConnection r = reads;
    reads = null;
    return Future.join(c == null ? Future.succeededFuture() : c.close(),
        r == null ? Future.succeededFuture() : r.close())
      .<Void>mapEmpty().eventually(client::close);
  }

  private <T> Future<T> down() {
    return Future.failedFuture(new GatewayException(ErrorCode.UNAVAILABLE, "redis connection '" + name + "' is down"));
  }
}
