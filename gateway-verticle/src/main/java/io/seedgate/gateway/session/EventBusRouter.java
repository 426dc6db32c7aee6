package io.seedgate.gateway.session;

import io.seedgate.common.Addresses;
import io.seedgate.common.config.Settings;
import io.seedgate.common.lifecycle.LocalRoles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * The {@link SessionRouter} on the event bus: requests to the router role (this node's own when it runs one), each
 * answered within {@value #TIMEOUT_MS} ms or failed.
 */
final class EventBusRouter implements SessionRouter {

  /** How long the router may take to answer one request. */
  static final long TIMEOUT_MS = 20_000;

  private final EventBus eventBus;
  private final DeliveryOptions delivery;

  EventBusRouter(Vertx vertx) {
    this.eventBus = vertx.eventBus();
    this.delivery = LocalRoles.deliveryTo(vertx, Settings.ROLE_ROUTER, TIMEOUT_MS);
  }

  @Override
  public Future<JsonObject> authenticate(JsonObject login) {
    return eventBus.<JsonObject>request(Addresses.AUTHENTICATE, login, delivery).map(Message::body);
  }

  @Override
  public Future<Void> sessionEnded(JsonObject end) {
    return eventBus.request(Addresses.SESSION_ENDED, end, delivery).mapEmpty();
  }

  @Override
  public Future<JsonObject> reassert(JsonObject live) {
    return eventBus.<JsonObject>request(Addresses.SESSION_REASSERT, live, delivery).map(Message::body);
  }

  @Override
  public Future<Boolean> move(JsonObject moved) {
    return eventBus.<JsonObject>request(Addresses.SESSION_MOVED, moved, delivery)
      .map(m -> m.body().getBoolean("moved", false));
  }
}
