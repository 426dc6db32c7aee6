package io.seedgate.node.ops;

import io.seedgate.common.Addresses;
import io.seedgate.common.cluster.ClusterInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code GET /admin/history}: the charts' data of every cluster member, asked on the event bus as
 * {@code /admin/nodes} asks for stats ({@code {"type":"history"}} to {@link Addresses#memberOps}), and the cluster's
 * series merged from them ({@link ClusterSeries}):
 * <pre>{"answeredBy":"gw-1", "at":"..", "intervalSeconds":5, "series":[names..],
 *  "nodes":[{"node":"gw-1","member":"..","answered":true,"t":[..],"series":{..},"events":[..]}, ..],
 *  "cluster":{"t":[..],"series":{..},"events":[..]}}</pre>
 * A member that does not answer within 2 s is listed with {@code "answered":false}.
 */
final class ClusterHistory {

  private static final long NODE_TIMEOUT_MS = 2_000;

  private final Vertx vertx;
  private final String nodeId;
  private final Timeline timeline;

  ClusterHistory(Vertx vertx, String nodeId, Timeline timeline) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.timeline = timeline;
  }

  /**
   * Marks the drain of another node, which this node passed on: the drained node's own mark goes with it when it
   * stops.
   */
  void drained(String node, int sessions) {
    if (!nodeId.equals(node)) {
      timeline.addForNode(Timeline.DRAIN, node, "drain asked through " + nodeId + ": " + sessions
        + " sessions told to reconnect elsewhere");
    }
  }

  void handle(RoutingContext ctx) {
    Set<String> members = new TreeSet<>(ClusterInfo.members(vertx, nodeId));
    List<Future<JsonObject>> answers = new ArrayList<>();
    for (String member : members) {
      answers.add(vertx.eventBus().<JsonObject>request(Addresses.memberOps(member),
          new JsonObject().put("type", "history"), new DeliveryOptions().setSendTimeout(NODE_TIMEOUT_MS))
        .map(m -> m.body().copy().put("answered", true))
        .recover(e -> Future.succeededFuture(new JsonObject().put("member", member).put("answered", false)
          .put("error", e.getMessage()))));
    }
    Future.join(answers).onComplete(ignored -> {
      List<JsonObject> nodes = answers.stream().map(Future::result).toList();
      List<JsonObject> answered = nodes.stream().filter(n -> n.getBoolean("answered")).toList();
      answered.forEach(n -> timeline.name(n.getString("member"), n.getString("node")));
      OpsResponses.json(ctx, 200, new JsonObject().put("answeredBy", nodeId).put("at", Instant.now().toString())
        .put("intervalSeconds", OpsHistory.INTERVAL_SECONDS).put("series", new JsonArray(OpsHistory.SERIES))
        .put("nodes", new JsonArray(nodes)).put("cluster", ClusterSeries.merge(answered)));
    });
  }
}
