package io.seedgate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * One redis-server child process on a loopback port, with its config, log and stdout in a test's directory: started
 * (on another port when the one picked was taken meanwhile), killed with SIGKILL (a crash, not a shutdown), started
 * again on the same port and config. The launchers of a cluster or a sentinel set-up are made of these.
 */
final class RedisProcess {

  /**
   * Where ports are picked: below Linux's ephemeral range (32768 and up), which outgoing connections take their
   * source ports from, even with the cluster bus port (port + 10000); and apart from where
   * {@code io.seedgate.common.FreePorts} hands out the ports of the other tests' servers (20000 to 31999).
   */
  private static final int FIRST_PORT = 12_000;
  private static final int PORT_COUNT = 8_000;
  static final int BUS_PORT_OFFSET = 10_000;
  private static final AtomicInteger NEXT_PORT = new AtomicInteger(new Random().nextInt(PORT_COUNT));
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  private static final int START_ATTEMPTS = 3;

  final String name;
  final int port;
  final Path conf;
  final Path log;
  private final Path out;
  private final boolean sentinel;
  private Process process;

  private RedisProcess(Path dir, String name, int port, boolean sentinel) {
    this.name = name;
    this.port = port;
    this.sentinel = sentinel;
    this.conf = dir.resolve(name + ".conf");
    this.log = dir.resolve(name + ".log");
    this.out = dir.resolve(name + ".out");
  }

  /**
   * Starts a redis-server (a sentinel if {@code sentinel}) in {@code dir} on a free port and waits until it answers
   * PING. {@code config} writes the config for a port; its {@code logfile} must be {@code <dir>/<name>-<port>.log}
   * ({@link #logFile}). A port taken between the pick and the bind is given up for another one.
   */
  static RedisProcess launch(Path dir, String name, boolean sentinel, boolean busPort, IntFunction<String> config) {
    IllegalStateException last = null;
    for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      int port = freePort(busPort);
      RedisProcess p = new RedisProcess(dir, name + "-" + port, port, sentinel);
      try {
        Files.writeString(p.conf, config.apply(port), StandardCharsets.UTF_8);
        p.start();
        return p;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (IllegalStateException e) {
        p.kill();
        if (!p.tail(50).contains("Address already in use")) {
          throw e;
        }
        last = e;
      }
    }
    throw last;
  }

  /** The log file of the process {@code name} would start on {@code port}, to name in its config. */
  static Path logFile(Path dir, String name, int port) {
    return dir.resolve(name + "-" + port + ".log");
  }

  /** Starts the process (again, after {@link #kill()}) with its config and waits until it answers PING. */
  synchronized void start() {
    if (alive()) {
      throw new IllegalStateException(name + " is running already");
    }
    List<String> command = new ArrayList<>(List.of(RedisBinaries.SERVER, conf.toString()));
    if (sentinel) {
      command.add("--sentinel");
    }
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
    } catch (IOException e) {
      throw new IllegalStateException("starting " + String.join(" ", command) + ": " + e, e);
    }
    Process started = process;
    await(name + " answers PING", START_TIMEOUT, () -> {
      if (!started.isAlive()) {
        throw new IllegalStateException(name + " exited with " + started.exitValue() + "\n" + tail(30));
      }
      return "PONG".equals(Resp.call("127.0.0.1", port, 500, 2_000, List.of(List.of("PING")))) ? null : "no PONG";
    }, () -> tail(30));
  }

  /** Kills the process with SIGKILL, as a crash would, and waits until it is gone. */
  synchronized void kill() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException(name + " (pid " + p.pid() + ") still running 10 s after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  /** The last {@code lines} lines of the process's log and of its stdout (where errors before the log opens go). */
  String tail(int lines) {
    StringBuilder sb = new StringBuilder();
    for (Path file : List.of(log, out)) {
      if (!Files.exists(file)) {
        continue;
      }
      try {
        List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (all.isEmpty()) {
          continue;
        }
        sb.append("--- ").append(file.getFileName()).append(" (last ").append(Math.min(lines, all.size()))
          .append(" lines)\n");
        all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> sb.append(l).append('\n'));
      } catch (IOException | UncheckedIOException e) {
        sb.append("--- ").append(file.getFileName()).append(": ").append(e).append('\n');
      }
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return name;
  }

  /**
   * Polls {@code notYet} (null when the condition holds, else what is missing; an exception counts as missing) every
   * 50 ms; when {@code within} runs out, throws an {@link IllegalStateException} with the last answer and
   * {@code logs}.
   */
  static void await(String what, Duration within, Callable<String> notYet, Supplier<String> logs) {
    long deadline = System.nanoTime() + within.toNanos();
    String last = "not tried";
    while (true) {
      try {
        last = notYet.call();
        if (last == null) {
          return;
        }
      } catch (IllegalStateException e) {
        throw e;
      } catch (Exception e) {
        last = e.toString();
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(what + ": not so within " + within.toMillis() + " ms (last: " + last + ")\n"
          + logs.get());
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(what + ": interrupted", e);
      }
    }
  }

  /** Kills every process of {@code processes} and deletes {@code dir}; what failed, or null. */
  static Exception stopAll(List<RedisProcess> processes, Path dir) {
    Exception failure = null;
    for (RedisProcess p : processes) {
      try {
        p.kill();
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    if (dir != null && Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(f);
        }
      } catch (IOException | UncheckedIOException e) {
        failure = e;
      }
    }
    return failure;
  }

  /** A loopback port free now (and its bus port, port + 10000, if {@code busPort}). */
  static int freePort(boolean busPort) {
    for (int attempt = 0; attempt < PORT_COUNT; attempt++) {
      int port = FIRST_PORT + Math.floorMod(NEXT_PORT.getAndIncrement(), PORT_COUNT);
      if (free(port) && (!busPort || free(port + BUS_PORT_OFFSET))) {
        return port;
      }
    }
    throw new IllegalStateException("no free loopback port from " + FIRST_PORT + " to " + (FIRST_PORT + PORT_COUNT - 1));
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException taken) {
      return false;
    }
  }
}
