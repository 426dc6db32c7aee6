package io.seedgate.node;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Node.js example service's own tests ({@code node --test} in examples/node-service: its settings, envelopes and
 * hash slots, and real redis-server processes it starts for a Sentinel failover by hand and for sharded action
 * channels on a cluster, each skipped there with the reason where a binary is missing), run by the build so that
 * they hold at every commit. Skipped where {@code node} is missing.
 */
class NodeServiceUnitTestsIT {

  private static final Path SERVICE_DIR = Path.of("../examples/node-service");

  @Test
  void theNodeServicesOwnTestsPass() throws Exception {
    NodeJs.assumeOnPath();
    NodeJs.install(SERVICE_DIR);
    Path log = Files.createTempFile("node-service-tests", ".log");
    Process p = NodeJs.start(SERVICE_DIR, List.of("--test"), Map.of(), log);
    boolean ended = p.waitFor(5, TimeUnit.MINUTES);
    if (!ended) {
      p.destroyForcibly();
    }
    String out = Files.readString(log);
    assertTrue(ended, "node --test still running after 5 minutes:\n" + out);
    assertEquals(0, p.exitValue(), "node --test failed:\n" + out);
    assertTrue(out.contains("# fail 0"), out);
    System.out.println("[node service tests] " + out.lines()
      .filter(l -> l.matches("# (tests|pass|fail|skipped|duration_ms) .*")).toList());
  }
}
