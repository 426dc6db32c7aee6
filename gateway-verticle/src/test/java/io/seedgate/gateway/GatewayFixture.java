package io.seedgate.gateway;

import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.seedgate.common.embedded.BackingServices;
import io.seedgate.gateway.resume.ResumeSettings;
import io.seedgate.router.RouterVerticle;
import io.seedgate.testsupport.RedisDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.seedgate.testsupport.Await.await;

/**
 * Gateway instances over real sockets for a transport's tests: a Vert.x instance, a real router, real
 * {@link GatewayVerticle}s on port 0 and real Redis (a database leased for the fixture, emptied at the end), with
 * Netty's leak detector at its paranoid level throughout ({@link LeakCheck}).
 */
public final class GatewayFixture {

  public final Vertx vertx;
  public final NodeConfig config;
  public final Redis redis;
  /** The instances of the first deployment. */
  public final List<GatewayVerticle> gateways;
  private final String name;
  private final LeakCheck leaks;
  private final RedisDatabase database;

  private GatewayFixture(Vertx vertx, NodeConfig config, Redis redis, List<GatewayVerticle> gateways, String name,
                         LeakCheck leaks, RedisDatabase database) {
    this.vertx = vertx;
    this.config = config;
    this.redis = redis;
    this.gateways = gateways;
    this.name = name;
    this.leaks = leaks;
    this.database = database;
  }

  /**
   * Starts the router and {@code instances} gateway instances.
   *
   * @param name     a short prefix for node id, action channels and player ids
   * @param settings settings (dotted paths) over the defaults: the node's Redis and PostgreSQL, gateway and router
   *                 roles, host 127.0.0.1, WebSocket and TCP on port 0, UDP off
   */
  public static GatewayFixture start(String name, int instances, Map<String, Object> settings)
    throws Exception {
    NodeConfig resolved = BackingServices.resolve(NodeConfig.defaults());
    RedisDatabase database = RedisDatabase.lease(resolved.get(Settings.REDIS_URL), "GatewayFixture " + name);
    String redisUrl = database.url();
    Vertx vertx = Vertx.vertx();
    LeakCheck leaks = LeakCheck.start();
    Map<String, Object> all = new HashMap<>(Map.of(
      Settings.NODE_ID.path(), name + "-" + UUID.randomUUID().toString().substring(0, 6),
      Settings.REDIS_URL.path(), redisUrl,
      Settings.JWT_SECRET.path(), name + "-transport-secret-0123456789-0123456789",
      Settings.ROLES.path(), new JsonArray(List.of("gateway", "router")),
      Settings.ACTION_CHANNEL_PREFIX.path(), name + "-" + UUID.randomUUID().toString().substring(0, 6) + ":action:",
      Settings.GATEWAY_HOST.path(), "127.0.0.1",
      Settings.WS_PORT.path(), 0,
      Settings.TCP_PORT.path(), 0,
      Settings.UDP_ENABLED.path(), false));
    all.putAll(settings);
    NodeConfig config = resolved.with(all);
    await(vertx.deployVerticle(RouterVerticle::new, new DeploymentOptions().setConfig(config.toJson())));
    GatewayFixture fixture = new GatewayFixture(vertx, config, Redis.createClient(vertx, redisUrl),
      new ArrayList<>(), name, leaks, database);
    fixture.deployGateways(instances, fixture.gateways);
    return fixture;
  }

  /** Deploys {@code instances} more gateway instances with the fixture's config; returns the deployment id. */
  public String deployGateways(int instances, List<GatewayVerticle> into) throws Exception {
    return deployGateways(instances, into, ResumeSettings.HANDOVER_TIMEOUT_MS);
  }

  /**
   * Like {@link #deployGateways(int, List)}, the instances' hand-overs of resumed sessions bounded by
   * {@code handoverTimeoutMs} instead of the usual {@value ResumeSettings#HANDOVER_TIMEOUT_MS} ms
   * ({@link ResumeSettings#handoverTimeoutMs}).
   */
  public String deployGateways(int instances, List<GatewayVerticle> into, long handoverTimeoutMs) throws Exception {
    return await(vertx.deployVerticle(() -> {
      GatewayVerticle g = new GatewayVerticle(handoverTimeoutMs);
      synchronized (into) {
        into.add(g);
      }
      return g;
    }, new DeploymentOptions().setConfig(config.toJson()).setInstances(instances)));
  }

  /** Closes Vert.x, empties and frees the Redis database and checks that no buffer leaked. */
  public void stop() throws Exception {
    try {
      await(vertx.close());
    } finally {
      database.close();
    }
    leaks.assertNoLeakReportedAndStop();
  }

  /** A 2021 sign-in: a player hash on {@code map} under a new token; returns the token. */
  public String signIn(String map) throws Exception {
    String token = UUID.randomUUID().toString().toUpperCase();
    await(redis.send(Request.cmd(Command.HSET).arg(token).arg("id").arg(name + "-" + UUID.randomUUID())
      .arg("map_id").arg(map)));
    return token;
  }

  /** What a game service does: publishes {@code payload} on {@code channel}. */
  public void publish(String channel, byte[] payload) throws Exception {
    await(redis.send(Request.cmd(Command.PUBLISH).arg(channel).arg(Buffer.buffer(payload))));
  }
}
