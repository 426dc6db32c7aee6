package io.seedgate.bench;

import io.seedgate.examples.ExampleGameService;
import io.seedgate.examples.GameServiceOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;

/**
 * The example game service in the bench's JVM, on a Vert.x instance of its own and the run's action prefix: what
 * answers the actions of a gateway that runs no service itself (the Node.js gateway, or a node started with
 * {@code --service-in-bench}). Its CPU then counts as the load generator's, the same for every gateway compared.
 */
final class BenchService implements AutoCloseable {

  private final Vertx vertx;

  private BenchService(Vertx vertx) {
    this.vertx = vertx;
  }

  static BenchService start(String redisUrl, String actionPrefix) {
    Vertx vertx = Vertx.vertx();
    GameServiceOptions options = new GameServiceOptions().setRedisUrl(redisUrl).setActionChannelPrefix(actionPrefix);
    try {
      BenchMain.await(vertx.deployVerticle(new ExampleGameService(), new DeploymentOptions()
        .setConfig(options.toJson())), 30_000);
    } catch (RuntimeException e) {
      BenchMain.await(vertx.close(), 30_000);
      throw e;
    }
    return new BenchService(vertx);
  }

  @Override
  public void close() {
    BenchMain.await(vertx.close(), 30_000);
  }
}
