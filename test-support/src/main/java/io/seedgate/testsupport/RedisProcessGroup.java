package io.seedgate.testsupport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis processes started together in one temporary directory (a cluster, a Sentinel set-up): on {@link #close}, or
 * when the JVM exits first, every one is killed and the directory deleted; the tails of their logs for an error.
 * Thread-safe.
 */
final class RedisProcessGroup implements AutoCloseable {

  private final Path dir;
  private final String what;
  private final List<RedisProcess> processes = new ArrayList<>();
  private final Thread shutdownHook;
  private boolean closed;

  /** @param what the set-up, for the thread's name and errors ("Redis Cluster", "Redis Sentinel set-up") */
  RedisProcessGroup(Path dir, String what) {
    this.dir = dir;
    this.what = what;
    this.shutdownHook = new Thread(this::stopAll, what + " stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  Path dir() {
    return dir;
  }

  /** Keeps the process, to kill it with the others; returns it. */
  synchronized RedisProcess add(RedisProcess p) {
    processes.add(p);
    return p;
  }

  /** The tail of every process's log. */
  String logs() {
    List<RedisProcess> all;
    synchronized (this) {
      all = List.copyOf(processes);
    }
    StringBuilder sb = new StringBuilder();
    for (RedisProcess p : all) {
      sb.append(p.tail(15));
    }
    return sb.toString();
  }

  /** Kills every process and deletes the directory; a failure to do so is thrown. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
    Exception failure = stopAll();
    if (failure != null) {
      throw new IllegalStateException("stopping the " + what + " in " + dir + ": " + failure, failure);
    }
  }

  private synchronized Exception stopAll() {
    if (closed) {
      return null;
    }
    closed = true;
    return RedisProcess.stopAll(List.copyOf(processes), dir);
  }
}
