package io.seedgate.common.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.seedgate.common.vertx.VertxNode;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.Set;
import java.util.UUID;

/**
 * What a node knows of the cluster it is in: its member id and the live members. A node started without
 * {@code -cluster} is a cluster of one, whose member id is its node id.
 */
public final class ClusterInfo {

  /** The Hazelcast member attribute in which vertx-hazelcast keeps the Vert.x node id of a member. */
  private static final String VERTX_NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private ClusterInfo() {
  }

  public static boolean clustered(Vertx vertx) {
    return vertx.isClustered() && clusterManager(vertx) != null;
  }

  /** This node's cluster member id, or {@code fallback} when not clustered. */
  public static String memberId(Vertx vertx, String fallback) {
    ClusterManager cm = clusterManager(vertx);
    return cm == null ? fallback : cm.getNodeId();
  }

  /** The ids of the live members, or just {@code fallback} when not clustered. */
  public static Set<String> members(Vertx vertx, String fallback) {
    ClusterManager cm = clusterManager(vertx);
    return cm == null ? Set.of(fallback) : Set.copyOf(cm.getNodes());
  }

  /**
   * Calls the handler, on the given context, with the member id of every member that leaves the cluster (also
   * when it died without a word); in addition to, not instead of, Vert.x's own membership handling. Does
   * nothing when the node is not clustered with Hazelcast.
   *
   * @return a handle to remove the listener, or {@code null}
   */
  public static UUID onMemberLeft(Vertx vertx, Context context, Handler<String> handler) {
    if (!(clusterManager(vertx) instanceof HazelcastClusterManager hz) || hz.getHazelcastInstance() == null) {
      return null;
    }
    return hz.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        String id = event.getMember().getAttribute(VERTX_NODE_ID_ATTRIBUTE);
        if (id != null) {
          context.runOnContext(v -> handler.handle(id));
        }
      }
    });
  }

  public static void removeListener(Vertx vertx, UUID registration) {
    if (registration != null && clusterManager(vertx) instanceof HazelcastClusterManager hz
      && hz.getHazelcastInstance() != null) {
      hz.getHazelcastInstance().getCluster().removeMembershipListener(registration);
    }
  }

  private static ClusterManager clusterManager(Vertx vertx) {
    return VertxNode.clusterManager(vertx);
  }
}
