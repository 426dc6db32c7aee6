package io.seedgate.common.redis;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * A {@link RedisLink} used for Pub/Sub, whose SUBSCRIBE and UNSUBSCRIBE futures complete when Redis confirmed every
 * channel, not when the command was written.
 *
 * <p>The Vert.x client completes Pub/Sub commands on write and hands their replies, confirmations and errors alike,
 * to the message handler. Redis answers commands in order, one confirmation per channel or one error per command,
 * so the commands sent are kept in a queue and matched against what comes back. A refused command (an ACL without
 * SUBSCRIBE, a proxy in the way) leaves the connection in an unknown state: its future fails and the link is
 * dropped, so the {@link #onReconnect} step subscribes everything afresh. A lost connection fails every
 * unconfirmed command. Use it from the link's context.
 */
public final class PubSubLink implements ChannelSubscriptions {

  private final RedisLink link;
  private final ArrayDeque<Sent> unconfirmed = new ArrayDeque<>();
  private BiConsumer<String, Buffer> onMessage = (channel, payload) -> { };

  public PubSubLink(RedisLink link) {
    this.link = link;
    link.messageHandler(this::onPush).onLost(this::failUnconfirmed);
  }

  /** Where messages go: channel (or, for a pattern subscription, the matching channel) and payload. */
  @Override
  public PubSubLink onMessage(BiConsumer<String, Buffer> handler) {
    this.onMessage = handler;
    return this;
  }

  /** Subscribes again after a reconnect; see {@link RedisLink#onReconnect}. */
  @Override
  public PubSubLink onReconnect(Supplier<Future<?>> restore) {
    link.onReconnect(restore);
    return this;
  }

  @Override
  public boolean connected() {
    return link.connected();
  }

  /** Succeeds once Redis confirmed every channel. */
  @Override
  public Future<Void> subscribe(Collection<String> channels) {
    return send(Command.SUBSCRIBE, "subscribe", channels);
  }

  /** Succeeds once Redis confirmed every channel gone. */
  @Override
  public Future<Void> unsubscribe(Collection<String> channels) {
    return send(Command.UNSUBSCRIBE, "unsubscribe", channels);
  }

  /** Closes the link's connection for good. */
  @Override
  public Future<Void> close() {
    return link.close();
  }

  /** Commands sent and not yet confirmed. */
  public int unconfirmed() {
    return unconfirmed.size();
  }

  private Future<Void> send(Command command, String confirmation, Collection<String> channels) {
    if (channels.isEmpty()) {
      return Future.succeededFuture();
    }
    Request request = Request.cmd(command);
    channels.forEach(request::arg);
    if (!link.connected()) {
      return link.send(request).mapEmpty(); // fails at once with UNAVAILABLE
    }
    // queued before the write: the confirmation cannot overtake it; a failed write drops the connection, failing it
    Sent sent = new Sent(confirmation, channels.size());
    unconfirmed.add(sent);
    link.send(request);
    return sent.promise.future();
  }

  private void onPush(Response push) {
    if (push.type() == ResponseType.ERROR) {
      refused(push.toString());
      return;
    }
    if (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI) {
      return;
    }
    int n = push.size();
    String kind = n == 0 ? "" : push.get(0).toString();
    if (n == 3 && "message".equals(kind)) {
      onMessage.accept(push.get(1).toString(), push.get(2).toBuffer());
    } else if (n == 4 && "pmessage".equals(kind)) {
      onMessage.accept(push.get(2).toString(), push.get(3).toBuffer());
    } else if ("subscribe".equals(kind) || "unsubscribe".equals(kind)) {
      confirmed(kind);
    }
  }

  private void confirmed(String kind) {
    Sent head = unconfirmed.peek();
    if (head == null || !head.confirmation.equals(kind)) {
      // an UNSUBSCRIBE of a channel nobody subscribed, or one sent while its reply was lost: nothing waits for it
      return;
    }
    if (--head.remaining == 0) {
      unconfirmed.poll();
      head.promise.tryComplete();
    }
  }

  private void refused(String error) {
    Sent head = unconfirmed.poll();
    if (head != null) {
      head.promise.tryFail(new GatewayException(ErrorCode.UNAVAILABLE, "redis refused " + head.confirmation + ": " + error));
    }
    link.reconnect("redis refused a pub/sub command: " + error);
  }

  private void failUnconfirmed(Void lost) {
    Sent s;
    while ((s = unconfirmed.poll()) != null) {
      s.promise.tryFail(new GatewayException(ErrorCode.UNAVAILABLE, "redis connection lost before " + s.confirmation
        + " was confirmed"));
    }
  }

  private static final class Sent {
    final String confirmation;
    final Promise<Void> promise = Promise.promise();
    int remaining;

    Sent(String confirmation, int channels) {
      this.confirmation = confirmation;
      this.remaining = channels;
    }
  }
}
