package io.seedgate.common.redis;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.util.Collection;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Subscriptions to Pub/Sub channels whose futures complete when Redis confirmed every channel, and that are restored
 * after a lost connection: classic {@code SUBSCRIBE} on one connection ({@link PubSubLink}) or sharded
 * {@code SSUBSCRIBE} on a connection per shard ({@link ShardedPubSubLink}). Used from one context.
 */
public interface ChannelSubscriptions {

  /** Where messages go: channel and payload. */
  ChannelSubscriptions onMessage(BiConsumer<String, Buffer> handler);

  /**
   * Subscribes everything again after connections were lost and made again; until its future completes the
   * subscriptions count as reconnecting, and if it fails, they are dropped and made again after a backoff.
   */
  ChannelSubscriptions onReconnect(Supplier<Future<?>> restore);

  /** Whether the connections are up (subscribing now can succeed). */
  boolean connected();

  /** Succeeds once Redis confirmed every channel. */
  Future<Void> subscribe(Collection<String> channels);

  /** Succeeds once Redis confirmed every channel gone. */
  Future<Void> unsubscribe(Collection<String> channels);

  /** Closes the connections for good. */
  Future<Void> close();
}
