package io.seedgate.node;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A verticle whose stop never ends: what the launcher's shutdown watchdog is for (ShutdownIT). */
public class StuckOnStopVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(StuckOnStopVerticle.class);

  @Override
  public Future<?> start() {
    LOG.info("stuck verticle started");
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    LOG.info("stuck verticle stopping, never to finish");
    return Promise.promise().future();
  }
}
