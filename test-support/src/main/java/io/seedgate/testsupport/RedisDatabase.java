package io.seedgate.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Redis database of a test's own, leased instead of picked by hand: {@link #lease(String, String)} takes the first
 * of databases 1 to 15 whose lease key ({@code seed-test:db-lease:<n>} in database 0, {@code SET NX PX}) is free,
 * empties it and hands it out; {@link #close()} empties it again and frees it. While held, the lease is renewed
 * every {@link #RENEW_EVERY}; a test JVM that dies without releasing (kill -9) frees it when its {@link #LEASE_TTL}
 * runs out, and one that exits without closing releases it from a shutdown hook.
 *
 * <p>It talks RESP over a plain socket (no Vert.x), so it works before a test's Vert.x starts, after it closed, and
 * in a shutdown hook.
 */
public final class RedisDatabase implements AutoCloseable {

  public static final int FIRST = 1;
  public static final int LAST = 15;
  public static final String KEY_PREFIX = "seed-test:db-lease:";
  static final Duration LEASE_TTL = Duration.ofMinutes(2);
  static final Duration RENEW_EVERY = Duration.ofSeconds(30);
  /** How long {@link #lease} waits for a database when all are taken. */
  static final Duration WAIT_FOR_FREE = Duration.ofMinutes(10);

  private static final ScheduledExecutorService RENEWER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "redis-db-lease-renewer");
    t.setDaemon(true);
    return t;
  });

  private final URI server;
  private final int index;
  private final String holder;
  private final ScheduledFuture<?> renewal;
  private final Thread shutdownHook;
  private boolean released;

  private RedisDatabase(URI server, int index, String holder) {
    this.server = server;
    this.index = index;
    this.holder = holder;
    long every = RENEW_EVERY.toMillis();
    this.renewal = RENEWER.scheduleAtFixedRate(this::renew, every, every, TimeUnit.MILLISECONDS);
    this.shutdownHook = new Thread(this::releaseQuietly, "redis-db-lease-release-" + index);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Leases a free database of the Redis at {@code redisUrl} (its own database index, if any, is ignored), waiting
   * when all are taken. {@code owner} names the test in the lease's value, for whoever looks.
   */
  public static RedisDatabase lease(String redisUrl, String owner) {
    URI server = URI.create(redisUrl);
    String holder = owner + "@" + ProcessHandle.current().pid() + "/" + UUID.randomUUID();
    long deadline = System.nanoTime() + WAIT_FOR_FREE.toNanos();
    long pause = 50;
    try {
      while (true) {
        for (int db = FIRST; db <= LAST; db++) {
          Object ok = call(server, 0, "SET", KEY_PREFIX + db, holder, "NX", "PX", String.valueOf(LEASE_TTL.toMillis()));
          if (ok != null) {
            call(server, db, "FLUSHDB");
            return new RedisDatabase(server, db, holder);
          }
        }
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("no free Redis test database from " + FIRST + " to " + LAST + " within "
            + WAIT_FOR_FREE.toMinutes() + " min (leases: " + KEY_PREFIX + "<n> in database 0)");
        }
        Thread.sleep(pause);
        pause = Math.min(pause * 2, 1_000);
      }
    } catch (IOException e) {
      throw new IllegalStateException("Redis at " + server.getHost() + ":" + port(server) + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The database's index. */
  public int index() {
    return index;
  }

  /** The Redis URL the lease was taken with, on this database. */
  public String url() {
    return withDatabase(server.toString(), index);
  }

  /** {@code url} with {@code db} as its database index (in place of any it had). */
  public static String withDatabase(String url, int db) {
    return url.replaceFirst("/\\d*$", "") + "/" + db;
  }

  /** Empties the database now (the lease stays held). */
  public void flush() {
    try {
      call(server, index, "FLUSHDB");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Empties the database and frees the lease (if still this holder's). */
  @Override
  public synchronized void close() {
    if (released) {
      return;
    }
    released = true;
    renewal.cancel(false);
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // already in the hooks
    }
    try {
      call(server, index, "FLUSHDB");
      call(server, 0, "EVAL", "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"
        + " return 0", "1", KEY_PREFIX + index, holder);
    } catch (IOException e) {
      throw new IllegalStateException("releasing Redis test database " + index + ": " + e, e);
    }
  }

  private void releaseQuietly() {
    synchronized (this) {
      if (released) {
        return;
      }
      released = true;
    }
    try {
      call(server, index, "FLUSHDB");
      call(server, 0, "EVAL", "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"
        + " return 0", "1", KEY_PREFIX + index, holder);
    } catch (IOException e) {
      // the lease expires by itself
    }
  }

  private void renew() {
    try {
      call(server, 0, "EVAL", "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1],"
        + " ARGV[2]) end return 0", "1", KEY_PREFIX + index, holder, String.valueOf(LEASE_TTL.toMillis()));
    } catch (IOException e) {
      // tried again at the next renewal, well before the lease runs out
    }
  }

  @Override
  public String toString() {
    return "Redis test database " + index;
  }

  private static int port(URI server) {
    return server.getPort() < 0 ? 6379 : server.getPort();
  }

  /** Runs one command on {@code db} over a new connection (with AUTH from the URL's user info); its reply. */
  static Object call(URI server, int db, String... command) throws IOException {
    List<List<String>> commands = new ArrayList<>();
    String userInfo = server.getRawUserInfo();
    if (userInfo != null && !userInfo.isEmpty()) {
      int colon = userInfo.indexOf(':');
      String user = colon < 0 ? "" : URLDecoder.decode(userInfo.substring(0, colon), StandardCharsets.UTF_8);
      String password = URLDecoder.decode(colon < 0 ? userInfo : userInfo.substring(colon + 1), StandardCharsets.UTF_8);
      commands.add(user.isEmpty() ? List.of("AUTH", password) : List.of("AUTH", user, password));
    }
    if (db != 0) {
      commands.add(List.of("SELECT", String.valueOf(db)));
    }
    commands.add(List.of(command));
    return Resp.call(server.getHost(), port(server), 2_000, 10_000, commands);
  }
}
