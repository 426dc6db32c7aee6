package io.seedgate.node;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs Node.js programs from tests: checks {@code node} is on the PATH, installs a directory's locked
 * dependencies with {@code npm ci} when they are missing or older than its {@code package-lock.json}, starts
 * scripts as child processes with their output in a log file.
 */
final class NodeJs {

  static final long INSTALL_TIMEOUT_SECONDS = 300;

  private NodeJs() {
  }

  /** Skips the calling test, saying why, when {@code node} cannot be run. */
  static void assumeOnPath() {
    String version = version("node");
    Assumptions.assumeTrue(version != null,
      "skipped: 'node' is not on the PATH (Node.js 18 or later is needed to run this test)");
  }

  /** The output of {@code <program> --version}, or null when it cannot be run. */
  static String version(String program) {
    try {
      Process p = new ProcessBuilder(program, "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Runs {@code npm ci} in {@code dir} unless its {@code node_modules} was installed from the current
   * {@code package-lock.json}; fails with npm's output when it fails.
   */
  static synchronized void install(Path dir) throws IOException, InterruptedException {
    Path installed = dir.resolve("node_modules/.package-lock.json");
    FileTime lock = Files.getLastModifiedTime(dir.resolve("package-lock.json"));
    if (Files.exists(installed) && Files.getLastModifiedTime(installed).compareTo(lock) >= 0) {
      return;
    }
    Path log = Files.createTempFile("npm-ci", ".log");
    Process p = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
      .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(INSTALL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("npm ci in " + dir + " took over " + INSTALL_TIMEOUT_SECONDS + " s: "
        + Files.readString(log));
    }
    if (p.exitValue() != 0) {
      throw new AssertionError("npm ci in " + dir + " failed: " + Files.readString(log));
    }
  }

  /** Starts {@code node <args>} in {@code dir} with extra environment variables, its output going to {@code log}. */
  static Process start(Path dir, List<String> args, Map<String, String> env, Path log) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("node");
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
      .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return pb.start();
  }

  /** Waits until the log contains the text; fails with the log when the process exits or time runs out. */
  static void awaitLog(Process p, Path log, String text, long timeoutMs) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      String content = Files.readString(log);
      if (content.contains(text)) {
        return;
      }
      if (!p.isAlive()) {
        throw new AssertionError("exited with " + p.exitValue() + " before logging '" + text + "': " + content);
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no '" + text + "' within " + timeoutMs + " ms: " + Files.readString(log));
  }

  /** SIGTERM, then waits up to 10 s (then SIGKILL); returns the exit code. */
  static int stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    return p.exitValue();
  }
}
