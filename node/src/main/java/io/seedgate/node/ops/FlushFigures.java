package io.seedgate.node.ops;

import io.seedgate.common.Addresses;

import io.seedgate.common.Failures;
import io.seedgate.common.config.Settings;
import io.seedgate.common.lifecycle.LocalRoles;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flush statistics of this node's persistence role, asked for on {@link io.seedgate.common.Addresses#PERSISTENCE_STATS} every
 * {@value #POLL_MS} ms (only while the role runs here) and kept for metrics and the node's stats. Readable from
 * any thread.
 */
final class FlushFigures {

  private static final Logger LOG = LoggerFactory.getLogger(FlushFigures.class);
  static final long POLL_MS = 5_000;

  private final Vertx vertx;
  private volatile JsonObject latest = new JsonObject();
  private long timer = -1;
  private boolean warned;

  FlushFigures(Vertx vertx) {
    this.vertx = vertx;
  }

  void start() {
    poll();
    timer = vertx.setPeriodic(POLL_MS, t -> poll());
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  /** The last statistics received ({@code FlushStats#toJson()}), or an empty object. */
  JsonObject latest() {
    return latest;
  }

  /** A number from the last statistics, or 0. */
  double figure(String name) {
    Object v = latest.getValue(name);
    return v instanceof Number n ? n.doubleValue() : 0;
  }

  private void poll() {
    if (!LocalRoles.running(vertx, Settings.ROLE_PERSISTENCE)) {
      return;
    }
    vertx.eventBus().<JsonObject>request(Addresses.PERSISTENCE_STATS, new JsonObject(),
        new DeliveryOptions().setLocalOnly(true).setSendTimeout(Checks.TIMEOUT_MS))
      .onSuccess(reply -> {
        latest = reply.body();
        warned = false;
      })
      .onFailure(e -> {
        if (!warned) {
          warned = true;
          Failures.warn(LOG, "persistence statistics not available: {}", e);
        }
      });
  }
}
