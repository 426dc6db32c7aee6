package io.seedgate.node.ops;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.Failures;
import io.seedgate.gateway.LocalGateways;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * Answers the requests other nodes' admin APIs send to this node on {@link io.seedgate.common.Addresses#nodeOps}
 * and {@link io.seedgate.common.Addresses#memberOps} ({@code stats}, {@code session}, {@code drain}, {@code history};
 * schemas there).
 */
final class OpsRequests {

  private static final Logger LOG = LoggerFactory.getLogger(OpsRequests.class);
  private static final int ERRORS_IN_STATS = 10;

  private final Vertx vertx;
  private final String nodeId;
  private final String memberId;
  private final List<String> roles;
  private final Checks checks;
  private final FlushFigures flush;
  private final OpsHistory history;
  private final Supplier<JsonObject> drain;
  private final Supplier<Integer> opsPort;
  private final Instant startedAt = Instant.now();

  /** @param drain starts draining the node and returns the reply */
  OpsRequests(Vertx vertx, String nodeId, String memberId, List<String> roles, Checks checks, FlushFigures flush,
              OpsHistory history, Supplier<JsonObject> drain, Supplier<Integer> opsPort) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.memberId = memberId;
    this.roles = roles;
    this.checks = checks;
    this.flush = flush;
    this.history = history;
    this.drain = drain;
    this.opsPort = opsPort;
  }

  void handle(Message<JsonObject> msg) {
    JsonObject body = msg.body() == null ? new JsonObject() : msg.body();
    String type = body.getString("type", "");
    Future<JsonObject> answer = switch (type) {
      case "stats" -> stats();
      case "session" -> LocalGateways.describe(vertx, body.getString("session", ""));
      case "drain" -> Future.succeededFuture(drain.get());
      case "history" -> Future.succeededFuture(history.toJson(body.getLong("since", 0L)));
      default -> null;
    };
    if (answer == null) {
      msg.fail(ErrorCode.MALFORMED.code(), "unknown ops request type '" + type + "'");
      return;
    }
    answer.onSuccess(msg::reply).onFailure(e -> {
      Failures.warn(LOG, "[ops request: {}] failed: {}", type, e);
      msg.fail(ErrorCode.UNAVAILABLE.code(), String.valueOf(e.getMessage()));
    });
  }

  /** This node's figures and health, as {@link io.seedgate.common.Addresses#nodeOps} documents them. */
  Future<JsonObject> stats() {
    return checks.run().map(c -> new JsonObject()
      .put("node", nodeId)
      .put("member", memberId)
      .put("roles", new JsonArray(roles))
      .put("startedAt", startedAt.toString())
      .put("uptimeSeconds", Duration.between(startedAt, Instant.now()).toSeconds())
      .put("draining", !Checks.OK.equals(c.getString("node")))
      .put("connections", LocalGateways.connectionsByTransport(vertx))
      .put("sessions", LocalGateways.sessions(vertx))
      .put("messagesIn", LocalGateways.messagesIn(vertx))
      .put("messagesOut", LocalGateways.messagesOut(vertx))
      .put("checks", c)
      .put("flush", flush.latest())
      .put("opsPort", opsPort.get())
      .put("recentErrors", RecentErrors.latest(ERRORS_IN_STATS)));
  }
}
