package io.seedgate.gateway.routing;

import io.seedgate.common.HashTime;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.redis.RedisLink;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;

/**
 * Hands a client's action to the game services: one {@code PUBLISH} on channel {@code <prefix><model>} with the
 * {@link Envelope}, after the {@code HSET} that keeps the 2021 hash fields {@code datetime}, {@code action} and
 * {@code ping} current, on this gateway instance's own connection (pipelined, not a transaction). The same
 * {@code HSET} writes the player's identity ({@code id}, {@code token}), so that a hash Redis lost (it restarted
 * empty) is never re-created by actions as one without it.
 *
 * <p>The actions of one event-loop turn go out together: the first one schedules a flush on the instance's context,
 * which runs once the loop has read what its sockets had ready, and writes every action queued by then in one
 * batch, one write to Redis instead of one per action. Unloaded, a flush holds one action and costs nothing more
 * than a task on the loop; loaded, it saves a system call per action. A command Redis refuses fails only its own
 * action. Used from the instance's context.
 *
 * <p>With sharded action channels ({@code routing.actionChannels} N &gt; 0) the action is an {@code SPUBLISH} on
 * {@code <prefix><model>:<n>} instead ({@link RedisKeys#shardedActionChannel}), n from the player's token, so one
 * player's actions stay on one channel and in order. On a Redis Cluster that channel's master is not the player
 * hash's, so the two commands would go out on two connections with no order between them: there each flush sends
 * its {@code HSET}s first and its {@code SPUBLISH}es once they are acknowledged, after the previous flush's
 * {@code SPUBLISH}es were sent (one more round trip to Redis per action, in exchange for the shards sharing the
 * actions; the flushes still pipeline).
 */
public final class ActionPublisher implements ActionSink {

  private static final Logger LOG = LoggerFactory.getLogger(ActionPublisher.class);

  private final RedisLink redis;
  private final String channelPrefix;
  private final Set<String> allowedModels;
  private final String nodeId;
  private final Context context;
  /** {@code routing.actionChannels}: 0 for the classic channel of each model, else how many sharded ones. */
  private final int shardedChannels;
  /** Whether each flush's HSETs must be acknowledged before its SPUBLISHes go (sharded channels on a cluster). */
  private final boolean hsetsFirst;
  private List<Request> queued = new ArrayList<>();
  private List<Promise<Void>> waiting = new ArrayList<>();
  /** Completes when the last flush's SPUBLISHes were handed to the link (sent in order after it: hsetsFirst). */
  private Future<Void> lastPublishesSent = Future.succeededFuture();

  public ActionPublisher(RedisLink redis, String channelPrefix, Set<String> allowedModels, String nodeId,
                         Context context) {
    this(redis, channelPrefix, 0, allowedModels, nodeId, context);
  }

  public ActionPublisher(RedisLink redis, String channelPrefix, int shardedChannels, Set<String> allowedModels,
                         String nodeId, Context context) {
    if (shardedChannels < 0) {
      throw new IllegalArgumentException("sharded action channels must be 0 or more, not " + shardedChannels);
    }
    this.redis = redis;
    this.channelPrefix = channelPrefix;
    this.shardedChannels = shardedChannels;
    this.hsetsFirst = shardedChannels > 0 && redis.cluster();
    this.allowedModels = allowedModels;
    this.nodeId = nodeId;
    this.context = context;
  }

  /** Whether actions of this model may be published (the allow-list is empty or names it). */
  @Override
  public boolean allowed(String model) {
    return allowedModels.isEmpty() || allowedModels.contains(model);
  }

  /**
   * Publishes one action of an authenticated session.
   *
   * @return succeeds once Redis accepted the PUBLISH; fails when Redis is unreachable or refused it
   */
  @Override
  public Future<Void> publish(Sender session, Action action, ActionMessage message) {
    Request hset = Request.cmd(Command.HSET).arg(RedisKeys.playerHash(session.token()))
      .arg(RedisKeys.F_ID).arg(session.playerId())
      .arg(RedisKeys.F_TOKEN).arg(session.token())
      .arg(RedisKeys.F_DATETIME).arg(HashTime.now())
      .arg(RedisKeys.F_ACTION).arg(message.action());
    String ping = message.pingTime();
    if (ping != null) {
      hset.arg(RedisKeys.F_PING).arg(ping);
    }
    Envelope.Parts parts = session.envelopeParts();
    if (parts == null || !parts.map().equals(session.mapId())) {
      parts = Envelope.parts(session, nodeId);
      session.envelopeParts(parts);
    }
    Request publish = (shardedChannels == 0
      ? Request.cmd(Command.PUBLISH).arg(channelPrefix + action.model())
      : Request.cmd(Command.SPUBLISH).arg(RedisKeys.shardedActionChannel(channelPrefix, action.model(),
        RedisKeys.actionChannelOf(session.token(), shardedChannels))))
      .arg(Envelope.of(parts, action, message, System.currentTimeMillis()));
    Promise<Void> done = Promise.promise();
    if (queued.isEmpty()) {
      context.runOnContext(v -> flush());
    }
    queued.add(hset);
    queued.add(publish);
    waiting.add(done);
    return done.future();
  }

  private void flush() {
    List<Request> requests = queued;
    List<Promise<Void>> actions = waiting;
    queued = new ArrayList<>();
    waiting = new ArrayList<>();
    if (hsetsFirst) {
      flushHsetsFirst(requests, actions);
      return;
    }
    redis.batch(requests).onComplete(ar -> {
      if (ar.succeeded()) {
        actions.forEach(Promise::complete);
        return;
      }
      LOG.debug("{} actions of one event-loop turn not all handed to Redis: {}", actions.size(),
        ar.cause().getMessage());
      BitSet refused = BatchFailures.refused(ar.cause(), requests.size());
      for (int i = 0; i < actions.size(); i++) {
        if (refused == null || refused.get(2 * i) || refused.get(2 * i + 1)) {
          actions.get(i).fail(ar.cause());
        } else {
          actions.get(i).complete();
        }
      }
    });
  }

  /**
   * The flush's HSETs (the even requests), then, once Redis acknowledged them and the previous flush's publishes
   * were sent, the SPUBLISHes of the actions whose HSET went through. An action fails when either of its commands
   * does.
   */
  private void flushHsetsFirst(List<Request> requests, List<Promise<Void>> actions) {
    List<Request> hsets = new ArrayList<>(actions.size());
    for (int i = 0; i < requests.size(); i += 2) {
      hsets.add(requests.get(i));
    }
    Future<BitSet> hsetsRefused = redis.batch(hsets).map(r -> new BitSet()).recover(e -> {
      BitSet refused = BatchFailures.refused(e, hsets.size());
      if (refused == null) {
        return Future.failedFuture(e); // none known to have gone through
      }
      return Future.succeededFuture(refused);
    });
    Promise<Void> sent = Promise.promise();
    Future<Void> previous = lastPublishesSent;
    lastPublishesSent = sent.future();
    previous.transform(v -> hsetsRefused).onComplete(ar -> {
      try {
        if (ar.failed()) {
          LOG.debug("{} actions of one event-loop turn not handed to Redis: {}", actions.size(),
            ar.cause().getMessage());
          actions.forEach(p -> p.fail(ar.cause()));
          return;
        }
        publishAfterHsets(requests, actions, ar.result());
      } finally {
        sent.complete();
      }
    });
  }

  private void publishAfterHsets(List<Request> requests, List<Promise<Void>> actions, BitSet hsetRefused) {
    List<Request> publishes = new ArrayList<>(actions.size());
    List<Promise<Void>> publishing = new ArrayList<>(actions.size());
    for (int i = 0; i < actions.size(); i++) {
      if (hsetRefused.get(i)) {
        actions.get(i).fail(new IllegalStateException("Redis refused the action's HSET"));
      } else {
        publishes.add(requests.get(2 * i + 1));
        publishing.add(actions.get(i));
      }
    }
    if (publishes.isEmpty()) {
      return;
    }
    redis.batch(publishes).onComplete(ar -> {
      if (ar.succeeded()) {
        publishing.forEach(Promise::complete);
        return;
      }
      BitSet refused = BatchFailures.refused(ar.cause(), publishes.size());
      for (int i = 0; i < publishing.size(); i++) {
        if (refused == null || refused.get(i)) {
          publishing.get(i).fail(ar.cause());
        } else {
          publishing.get(i).complete();
        }
      }
    });
  }
}
