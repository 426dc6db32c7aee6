package io.seedgate.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;

import java.util.concurrent.TimeUnit;

/**
 * The floor: a client that does what the gateway does for one action, with no gateway. It publishes the service
 * envelope (the same size as the gateway's) on {@code <prefix>api} over its worker's shared, pipelined publisher
 * connection (as a gateway instance does), and receives the service's answer on its own subscriber connection
 * ({@code SUBSCRIBE token:<T>}), as a game client receives it on its own socket. So a round trip is the same two
 * Redis hops through the same example service.
 */
final class FloorClient extends RoundTripper {

  private final RedisConnection publisher;
  private final String channel;
  private final Buffer envelope;
  private final byte[] replyPrefix;
  private RedisConnection subscriber;

  FloorClient(Worker worker, RedisConnection publisher, String actionChannel, Buffer envelope, byte[] replyPrefix) {
    super(worker);
    this.publisher = publisher;
    this.channel = actionChannel;
    this.envelope = envelope;
    this.replyPrefix = replyPrefix;
  }

  /** Opens the subscriber connection and subscribes {@code token:<T>}; completes when Redis confirmed it. */
  Future<Void> subscribe(Redis redis, String tokenChannel) {
    Promise<Void> confirmed = Promise.promise();
    return redis.connect().compose(c -> {
      subscriber = c;
      c.handler(push -> onPush(push, confirmed));
      c.exceptionHandler(e -> worker.error());
      return c.send(Request.cmd(Command.SUBSCRIBE).arg(tokenChannel))
        .compose(v -> confirmed.future().timeout(10, TimeUnit.SECONDS));
    });
  }

  private void onPush(Response r, Promise<Void> confirmed) {
    if (r == null || (r.type() != ResponseType.PUSH && r.type() != ResponseType.MULTI) || r.size() < 3) {
      return;
    }
    String kind = r.get(0).toString();
    if ("message".equals(kind)) {
      Buffer payload = r.get(2).toBuffer();
      if (Messages.startsWith(payload, replyPrefix)) {
        answered();
      } else if (Messages.startsWith(payload, Messages.ERROR)) {
        worker.error();
      } else {
        worker.other();
      }
    } else if ("subscribe".equals(kind)) {
      confirmed.tryComplete();
    }
  }

  @Override
  protected void write() {
    publisher.send(Request.cmd(Command.PUBLISH).arg(channel).arg(envelope)).onFailure(e -> worker.error());
  }

  Future<Void> close() {
    return subscriber == null ? Future.succeededFuture() : subscriber.close();
  }
}
