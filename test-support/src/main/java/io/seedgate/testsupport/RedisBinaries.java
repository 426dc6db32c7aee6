package io.seedgate.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether {@code redis-server} (and {@code redis-cli}) can be run from the PATH, and are recent enough (6.2: the
 * sentinel's {@code resolve-hostnames}, the cluster's {@code redis-cli --cluster}), for the launchers of real Redis
 * processes ({@link RedisClusterServers}, {@link RedisSentinelServers}): a test asks before it starts them, and is
 * skipped with the reason where they are missing.
 */
final class RedisBinaries {

  static final String SERVER = "redis-server";
  static final String CLI = "redis-cli";
  private static final int[] MINIMUM = {6, 2};
  private static volatile Optional<String> serverProblem;

  private RedisBinaries() {
  }

  /** Null when every one of {@code names} is on the PATH and redis-server is 6.2 or later; else why not. */
  static String whyUnavailable(String... names) {
    List<String> missing = new ArrayList<>();
    for (String name : names) {
      if (onPath(name).isEmpty()) {
        missing.add(name);
      }
    }
    if (!missing.isEmpty()) {
      return String.join(" and ", missing) + " not found on the PATH (" + System.getenv("PATH") + ")";
    }
    return serverProblem().orElse(null);
  }

  /** The executable {@code name} in the first PATH directory that has one. */
  static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** {@code redis-server --version} run once: empty when 6.2 or later. */
  private static Optional<String> serverProblem() {
    Optional<String> problem = serverProblem;
    if (problem == null) {
      problem = Optional.ofNullable(checkVersion());
      serverProblem = problem;
    }
    return problem;
  }

  private static String checkVersion() {
    try {
      Process p = new ProcessBuilder(SERVER, "--version").redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return SERVER + " --version did not answer within 10 s";
      }
      String text = new String(out, StandardCharsets.UTF_8).trim();
      Matcher m = Pattern.compile("v=(\\d+)\\.(\\d+)").matcher(text);
      if (!m.find()) {
        return SERVER + " --version said no version: " + text;
      }
      int major = Integer.parseInt(m.group(1));
      int minor = Integer.parseInt(m.group(2));
      if (major < MINIMUM[0] || major == MINIMUM[0] && minor < MINIMUM[1]) {
        return SERVER + " " + major + "." + minor + " is older than " + MINIMUM[0] + "." + MINIMUM[1] + ": " + text;
      }
      return null;
    } catch (IOException e) {
      return SERVER + " --version: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return SERVER + " --version interrupted";
    }
  }
}
