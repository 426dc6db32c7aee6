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
 */
public final class ActionPublisher implements ActionSink {

  private static final Logger LOG = LoggerFactory.getLogger(ActionPublisher.class);

  private final RedisLink redis;
  private final String channelPrefix;
  private final Set<String> allowedModels;
  private final String nodeId;
  private final Context context;
  private List<Request> queued = new ArrayList<>();
  private List<Promise<Void>> waiting = new ArrayList<>();

  public ActionPublisher(RedisLink redis, String channelPrefix, Set<String> allowedModels, String nodeId,
                         Context context) {
    this.redis = redis;
    this.channelPrefix = channelPrefix;
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
    Request publish = Request.cmd(Command.PUBLISH).arg(channelPrefix + action.model())
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
}
