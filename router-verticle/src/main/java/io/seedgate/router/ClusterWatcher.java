package io.seedgate.router;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.cluster.ClusterInfo;
import io.seedgate.common.redis.RedisLink;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Ends the sessions of cluster members that left (a crash or {@code kill -9} included): when Hazelcast reports a
 * member gone, the member's node id is looked up in {@link RedisKeys#NODES} and its sessions are ended as if
 * they had closed (saved, offline, off their maps). At start it also ends the sessions of members that died
 * while no router ran. One Redis (database) per cluster: members of another cluster on the same Redis would
 * look dead.
 */
final class ClusterWatcher {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterWatcher.class);

  private final Vertx vertx;
  private final RedisLink redis;
  private final SessionDirectory directory;
  private final String nodeId;
  private UUID registration;

  ClusterWatcher(Vertx vertx, RedisLink redis, SessionDirectory directory, String nodeId) {
    this.vertx = vertx;
    this.redis = redis;
    this.directory = directory;
    this.nodeId = nodeId;
  }

  /** Starts watching (only when clustered) and ends the sessions of members already gone. */
  Future<Void> start(Context context) {
    if (!ClusterInfo.clustered(vertx)) {
      return Future.succeededFuture();
    }
    registration = ClusterInfo.onMemberLeft(vertx, context, this::memberLeft);
    return redis.send(Request.cmd(Command.HKEYS).arg(RedisKeys.NODES)).compose(keys -> {
      Set<String> alive = ClusterInfo.members(vertx, nodeId);
      List<Future<?>> cleanups = new ArrayList<>();
      keys.forEach(k -> {
        if (!alive.contains(k.toString())) {
          cleanups.add(cleanUp(k.toString()));
        }
      });
      return Future.join(cleanups).mapEmpty();
    });
  }

  void stop() {
    ClusterInfo.removeListener(vertx, registration);
  }

  private void memberLeft(String memberId) {
    LOG.info("cluster member {} left", memberId);
    cleanUp(memberId).onFailure(e -> LOG.error("sessions of departed member {} not ended: {}", memberId,
      e.getMessage()));
  }

  private Future<Integer> cleanUp(String memberId) {
    return redis.send(Request.cmd(Command.HGET).arg(RedisKeys.NODES).arg(memberId)).compose(node -> {
      if (node == null) {
        return Future.succeededFuture(0);
      }
      return directory.endSessionsOf(node.toString(), memberId, nodeId).onSuccess(n -> {
        if (n > 0) {
          LOG.info("ended {} sessions of departed node {}", n, node);
        }
      });
    });
  }
}
