package io.seedgate.devjar;

import io.seedgate.common.FreePorts;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's run command, {@code java -jar node-dev/target/seed-gateway-dev.jar -conf conf/dev.json}, on a machine
 * where no Redis or PostgreSQL answers (here: URLs at closed ports): it starts embedded ones, starts the node, and
 * on SIGTERM saves and stops with 143 and no error, the embedded servers stopping after the node.
 */
class DevJarIT {

  private static final Path JAR = Path.of("target/seed-gateway-dev.jar");

  @Test
  void theDevJarHasTheNodeAndTheEmbeddedServers() throws Exception {
    try (ZipFile zip = new ZipFile(JAR.toFile())) {
      for (String entry : List.of("io/seedgate/node/NodeVerticle.class", "io/seedgate/dev/EmbeddedBinaries.class",
        "META-INF/services/io.seedgate.common.embedded.EmbeddedServers", "postgres-linux-x86_64.txz",
        "redis-server-6.2.6-v5-linux-amd64", "ch/qos/logback/classic/Logger.class")) {
        assertNotNull(zip.getEntry(entry), entry + " missing from " + JAR);
      }
    }
  }

  @Test
  void theReadmeRunCommandStartsOnEmbeddedServersWhereNoneAnswersAndStopsCleanly() throws Exception {
    int redisPort = FreePorts.tcp();
    int postgresPort = FreePorts.tcp();
    Path log = Files.createTempFile("seed-dev-jar", ".log");
    ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
      "-jar", JAR.toString(), "-conf", "../conf/dev.json")
      .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("SEED_"));
    pb.environment().put("SEED_REDIS_URL", "redis://127.0.0.1:" + redisPort);
    pb.environment().put("SEED_POSTGRES_URL", "postgresql://postgres@127.0.0.1:" + postgresPort + "/postgres");
    for (String port : List.of("SEED_GATEWAY_WEBSOCKET_PORT", "SEED_GATEWAY_TCP_PORT", "SEED_OPS_PORT",
      "SEED_DEMO_PORT")) {
      pb.environment().put(port, Integer.toString(FreePorts.tcp()));
    }
    pb.environment().put("SEED_GATEWAY_UDP_PORT", Integer.toString(FreePorts.udp()));
    Process p = pb.start();
    try {
      long deadline = System.currentTimeMillis() + 120_000;
      while (!Files.readString(log).contains(", profile: dev, ")) {
        assertTrue(p.isAlive(), "exited with " + (p.isAlive() ? "" : p.exitValue()) + ":\n" + Files.readString(log));
        assertTrue(System.currentTimeMillis() < deadline, "not started in 120 s:\n" + Files.readString(log));
        Thread.sleep(200);
      }
      String started = Files.readString(log);
      assertTrue(started.contains("using embedded Redis at redis://127.0.0.1:" + redisPort), started);
      assertTrue(started.contains("using embedded PostgreSQL at"), started);
      p.destroy();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "no exit after SIGTERM:\n" + Files.readString(log));
      String all = Files.readString(log, StandardCharsets.UTF_8);
      assertEquals(143, p.exitValue(), all);
      assertFalse(all.contains(" ERROR "), "an error while stopping (the embedded servers stopped too early?):\n" + all);
    } finally {
      p.destroyForcibly();
    }
  }
}
