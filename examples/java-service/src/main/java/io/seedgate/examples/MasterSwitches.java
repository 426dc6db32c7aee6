package io.seedgate.examples;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.RedisOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Hears the Sentinels announce a new master ({@code +switch-master}: {@code <name> <old-ip> <old-port> <new-ip>
 * <new-port>}) and says where it is now. A service behind Sentinel needs it for its subscriber: a master failed over
 * by hand ({@code SENTINEL FAILOVER}) stays up as a master for about ten seconds, until the Sentinels demote it and
 * close its connections, and a subscriber still there meanwhile hears none of the actions the gateway publishes on
 * the new one. (The pooled command client asks the Sentinels at each new connection by itself.)
 */
final class MasterSwitches {

  private static final Logger LOG = LoggerFactory.getLogger(MasterSwitches.class);
  static final String CHANNEL = "+switch-master";

  private final List<ActionSubscriber> sentinels = new ArrayList<>();
  private final String masterName;
  private final BiConsumer<String, Integer> moved;
  /** The last new address passed on ({@code host:port}): every Sentinel announces the same switch. */
  private String last;

  /** Calls {@code moved} with the new master's host and port each time the Sentinels switch the master. */
  MasterSwitches(Vertx vertx, GameServiceOptions options, BiConsumer<String, Integer> moved) {
    this.masterName = options.getRedisMasterName();
    this.moved = moved;
    // one subscriber per Sentinel: the leader of a failover announces it first, the others up to ~2 s later
    for (RedisOptions sentinel : options.sentinelOptions()) {
      sentinels.add(new ActionSubscriber(vertx, List.of(sentinel), List.of(CHANNEL), (c, payload) -> announced(payload)));
    }
  }

  /** Succeeds once one Sentinel at least is listened to. */
  Future<Void> start() {
    return Future.any(sentinels.stream().map(ActionSubscriber::start).toList()).mapEmpty();
  }

  Future<Void> close() {
    return Future.join(sentinels.stream().map(ActionSubscriber::close).toList()).mapEmpty();
  }

  private void announced(Buffer payload) {
    String[] parts = payload.toString().trim().split(" ");
    if (parts.length != 5 || !parts[0].equals(masterName) || (parts[3] + ":" + parts[4]).equals(last)) {
      return;
    }
    try {
      int port = Integer.parseInt(parts[4]);
      last = parts[3] + ":" + parts[4];
      LOG.warn("[redis: sentinels] master {} moved from {}:{} to {}", masterName, parts[1], parts[2], last);
      moved.accept(parts[3], port);
    } catch (NumberFormatException e) {
      LOG.warn("[redis: sentinels] a switch that does not read as one: {}", payload);
    }
  }
}
