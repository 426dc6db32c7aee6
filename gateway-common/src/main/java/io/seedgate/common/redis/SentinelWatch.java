package io.seedgate.common.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.RedisOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Hears the Sentinels announce a new master ({@code +switch-master} on a Sentinel's own Pub/Sub), so that a link
 * leaves the old master at once. Without it, a link learns of a failover only when its connection is closed: a
 * crashed master's at once, but a master that stays up (a failover by hand with {@code SENTINEL FAILOVER}, as before
 * maintenance, or a partition that heals) keeps answering as a master for about ten seconds after the promotion,
 * until the Sentinels turn it into a replica and close its clients, and whatever was written there meanwhile is lost
 * when it resynchronises (seen in {@code RedisSentinelTest}: 180 acknowledged moves lost, actions unanswered for
 * 10 s). Following the announcement is what the Sentinel client guidelines ask of a client.
 *
 * <p>One connection to each Sentinel, subscribed to {@code +switch-master} (a Sentinel learns of a failover from its
 * leader within its hello period, about 2 s, and announces it then: the leader's announcement comes first); its
 * messages read {@code <master-name> <old-ip> <old-port> <new-ip> <new-port>}, and each switch is passed on once,
 * however many Sentinels announce it. A Sentinel that cannot be reached is tried again every few seconds; one lost
 * later reconnects with {@link RedisLink}'s backoff. Use it from one context: the listener runs there.
 */
public final class SentinelWatch {

  private static final Logger LOG = LoggerFactory.getLogger(SentinelWatch.class);
  /** The Sentinel channel announcing a master's new address. */
  static final String SWITCH_MASTER = "+switch-master";
  static final long RETRY_MS = 5_000;

  /** A new address the Sentinels announced for the master. */
  public record Switch(String masterName, String oldHost, int oldPort, String newHost, int newPort) {

    /** Reads a {@code +switch-master} message; {@code null} when it is not one. */
    static Switch parse(String message) {
      String[] parts = message.trim().split(" ");
      if (parts.length != 5) {
        return null;
      }
      try {
        return new Switch(parts[0], parts[1], Integer.parseInt(parts[2]), parts[3], Integer.parseInt(parts[4]));
      } catch (NumberFormatException e) {
        return null;
      }
    }

    @Override
    public String toString() {
      return masterName + " from " + oldHost + ":" + oldPort + " to " + newHost + ":" + newPort;
    }
  }

  private final Vertx vertx;
  private final RedisTopology topology;
  private final String name;
  private final Consumer<Switch> onSwitch;
  private final List<PubSubLink> links = new ArrayList<>();
  /** The last switch passed on, so that the other Sentinels' announcements of it are not. */
  private Switch last;
  private boolean closed;

  private SentinelWatch(Vertx vertx, RedisTopology topology, String name, Consumer<Switch> onSwitch) {
    this.vertx = vertx;
    this.topology = topology;
    this.name = name;
    this.onSwitch = onSwitch;
  }

  /**
   * Watches the topology's Sentinels for switches of its master, calling {@code onSwitch} once for each; the future
   * completes once subscribed on one Sentinel at least, and fails when none answers now (the caller may try again:
   * without the watch, connection losses still show a failover, later).
   */
  public static Future<SentinelWatch> start(Vertx vertx, RedisTopology topology, String name,
                                            Consumer<Switch> onSwitch) {
    SentinelWatch watch = new SentinelWatch(vertx, topology, name, onSwitch);
    List<RedisOptions> sentinels = topology.sentinelOptions();
    List<Future<Void>> subscribed = new ArrayList<>();
    for (int i = 0; i < sentinels.size(); i++) {
      subscribed.add(watch.watch(sentinels.get(i), i));
    }
    return Future.any(subscribed).map(watch).recover(e -> watch.close().transform(v -> Future.failedFuture(e)));
  }

  /** Subscribes on one Sentinel; when it cannot be reached, tries again every {@link #RETRY_MS} until closed. */
  private Future<Void> watch(RedisOptions sentinel, int index) {
    List<String> channel = List.of(SWITCH_MASTER);
    return RedisLink.subscriber(vertx, List.of(sentinel), name + "-sentinel-" + index).compose(redis -> {
      PubSubLink link = new PubSubLink(redis);
      if (closed) {
        return link.close();
      }
      links.add(link);
      link.onMessage((ch, payload) -> announced(payload));
      link.onReconnect(() -> link.subscribe(channel));
      return link.subscribe(channel);
    }).onFailure(e -> {
      if (!closed) {
        LOG.debug("[redis: {}] Sentinel {} not watched now, trying again in {} ms: {}", name, index, RETRY_MS,
          e.getMessage());
        vertx.setTimer(RETRY_MS, t -> {
          if (!closed) {
            watch(sentinel, index);
          }
        });
      }
    });
  }

  private void announced(Buffer payload) {
    Switch s = Switch.parse(payload.toString());
    if (s == null) {
      LOG.warn("[redis: {}] a Sentinel announced a switch that does not read as one: {}", name, payload);
    } else if (s.masterName().equals(topology.masterName()) && !s.equals(last) && !closed) {
      last = s;
      LOG.warn("[redis: {}] the Sentinels switched the master {}", name, s);
      onSwitch.accept(s);
    }
  }

  public Future<Void> close() {
    closed = true;
    return Future.join(links.stream().map(PubSubLink::close).toList()).mapEmpty();
  }
}
