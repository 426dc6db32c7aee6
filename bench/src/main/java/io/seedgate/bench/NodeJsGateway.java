package io.seedgate.bench;

import io.seedgate.common.FreePorts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code --nodejs}: the Node.js ws gateway of {@code bench/nodejs-gateway} (issue 21's yardstick) as the node under
 * test, in a child process on free ports ({@code node --expose-gc gateway.js}), with {@code npm ci} run first when
 * its {@code node_modules} is missing. WebSocket only. Its memory is read from {@code /proc/<pid>/status} and from
 * its {@code GET /memory} (V8 heap after a full GC, external memory).
 */
final class NodeJsGateway {

  private static final Logger LOG = LoggerFactory.getLogger(NodeJsGateway.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration NPM_TIMEOUT = Duration.ofMinutes(5);

  private NodeJsGateway() {
  }

  static NodeTarget start(TargetOptions o, String prefix, String nodeId) throws Exception {
    Path dir = Path.of(o.nodejsDir).toAbsolutePath().normalize();
    Path script = dir.resolve("gateway.js");
    if (!Files.isRegularFile(script)) {
      throw new IllegalStateException("no " + script + ": run the bench from the repository root, or give --nodejs-dir");
    }
    if (!Files.isDirectory(dir.resolve("node_modules"))) {
      npmCi(dir);
    }
    int port = FreePorts.tcp();
    int opsPort = FreePorts.tcp();
    Path log = Files.createTempFile("seed-bench-nodejs", ".log");
    ProcessBuilder pb = new ProcessBuilder("node", "--expose-gc", script.toString()).directory(dir.toFile())
      .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("PORT", Integer.toString(port));
    pb.environment().put("OPS_PORT", Integer.toString(opsPort));
    pb.environment().put("HOST", "127.0.0.1");
    pb.environment().put("REDIS_URL", o.redis);
    pb.environment().put("ACTION_PREFIX", prefix);
    pb.environment().put("NODE_ID", nodeId);
    // as the bench's own nodes: no idle cut during a run, a minute for a login under a storm
    pb.environment().put("IDLE_TIMEOUT_SECONDS", "3600");
    pb.environment().put("AUTH_TIMEOUT_SECONDS", "60");
    Process p = pb.start();
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroy, "seed-bench-nodejs-stop"));
    LOG.info("[pid: {}, log: {}] Node.js gateway starting", p.pid(), log);
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("Node.js gateway exited with " + p.exitValue() + ", see " + log);
      }
      if (Files.readString(log).contains("listening " + port)) {
        return new NodeTarget("127.0.0.1", new int[]{port, -1, -1}, prefix, nodeId, "Node.js ws gateway in child "
          + "process " + p.pid() + " (" + nodeVersion() + ", " + script + ", log " + log + ", example service in the "
          + "bench's JVM)", MemoryProbe.nodejs(p.pid(), opsPort), null, p);
      }
      Thread.sleep(100);
    }
    p.destroy();
    throw new IllegalStateException("Node.js gateway did not start within " + START_TIMEOUT + ", see " + log);
  }

  private static void npmCi(Path dir) throws IOException, InterruptedException {
    LOG.info("[dir: {}] no node_modules: npm ci", dir);
    Path log = Files.createTempFile("seed-bench-npm-ci", ".log");
    Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(dir.toFile())
      .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!npm.waitFor(NPM_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      npm.destroyForcibly();
      throw new IllegalStateException("npm ci did not finish within " + NPM_TIMEOUT + ", see " + log);
    }
    if (npm.exitValue() != 0) {
      throw new IllegalStateException("npm ci failed (" + npm.exitValue() + "), see " + log);
    }
  }

  private static String nodeVersion() {
    try {
      Process v = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      String text = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      v.waitFor(10, TimeUnit.SECONDS);
      return "node " + text;
    } catch (IOException e) {
      return "node ?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "node ?";
    }
  }
}
