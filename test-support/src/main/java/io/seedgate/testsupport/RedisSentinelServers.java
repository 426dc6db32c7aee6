package io.seedgate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A real Redis Sentinel set-up on loopback, of redis-server processes this JVM starts and kills: a master, its
 * replica and three sentinels (quorum 2) that watch it, started in a temporary directory; {@link #start(String)}
 * returns once every sentinel sees the master, the replica in sync and the two other sentinels. A test can then
 * {@link #killMaster()}, as a crash would, and {@link #awaitFailover(Duration)} the replica's promotion (the master is
 * down for the sentinels after {@value #DOWN_AFTER_MS} ms: a failover takes some 3 to 6 s). {@link #close()} kills
 * every process and deletes the directory, and so does a shutdown hook if a test forgets.
 *
 * <p>What the processes answer is read over plain RESP sockets (no Vert.x). A test that needs the binary asks
 * {@link #available()} first and skips with {@link #whyUnavailable()}.
 */
public final class RedisSentinelServers implements AutoCloseable {

  public static final String DEFAULT_MASTER_NAME = "seed-master";
  public static final int SENTINELS = 3;
  public static final int QUORUM = 2;
  /** {@code down-after-milliseconds}: how long the master is unreachable before a sentinel counts it down. */
  public static final int DOWN_AFTER_MS = 1_000;
  /** {@code failover-timeout}. */
  public static final int FAILOVER_TIMEOUT_MS = 3_000;
  /** How long {@link #start} waits for the sentinels to see everything. */
  static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private final Path dir;
  private final String masterName;
  private final RedisProcessGroup group;
  private final Map<Integer, RedisProcess> data = new HashMap<>();
  private final List<RedisProcess> sentinels = new ArrayList<>();
  private int replicaPort;
  private int replacedMasterPort = -1;

  private RedisSentinelServers(Path dir, String masterName) {
    this.dir = dir;
    this.masterName = masterName;
    this.group = new RedisProcessGroup(dir, "Redis Sentinel set-up");
  }

  /** Whether redis-server (6.2 or later) is on the PATH. */
  public static boolean available() {
    return whyUnavailable() == null;
  }

  /** Why the set-up cannot be started here (for a test's skip), or null when it can. */
  public static String whyUnavailable() {
    return RedisBinaries.whyUnavailable(RedisBinaries.SERVER);
  }

  /** {@link #start(String)} with {@link #DEFAULT_MASTER_NAME}. */
  public static RedisSentinelServers start() {
    return start(DEFAULT_MASTER_NAME);
  }

  /**
   * Starts a master, its replica (once in sync) and three sentinels that monitor it as {@code masterName}, and waits
   * (up to 30 s) until every sentinel sees all of them; on failure, what was started is stopped and the error says
   * what was missing, with the tail of every log.
   */
  public static RedisSentinelServers start(String masterName) {
    String why = whyUnavailable();
    if (why != null) {
      throw new IllegalStateException(why);
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("seed-redis-sentinel-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    RedisSentinelServers set = new RedisSentinelServers(dir, masterName);
    try {
      RedisProcess master = set.add(RedisProcess.launch(dir, "master", false, false, port -> dataConfig(dir, "master", port, -1)));
      RedisProcess replica = set.add(RedisProcess.launch(dir, "replica", false, false,
        port -> dataConfig(dir, "replica", port, master.port)));
      set.data.put(master.port, master);
      set.data.put(replica.port, replica);
      set.replicaPort = replica.port;
      // in sync before the sentinels start: a sentinel finds replicas in its master's INFO, which it asks at once
      // and then only every 10 s
      RedisProcess.await(replica + " in sync with " + master, READY_TIMEOUT, () -> {
        List<?> role = (List<?>) set.call(replica.port, "ROLE");
        return "connected".equals(role.get(3)) ? null : "replica " + role.get(3);
      }, set::logs);
      for (int i = 0; i < SENTINELS; i++) {
        set.sentinels.add(set.add(RedisProcess.launch(dir, "sentinel", true, false,
          port -> sentinelConfig(dir, port, masterName, master.port))));
      }
      RedisProcess.await("every sentinel sees " + masterName + " on " + master.port + ", its replica on " + replica.port
        + " and the other sentinels", READY_TIMEOUT, () -> set.notSeen(master.port), set::logs);
      return set;
    } catch (RuntimeException e) {
      set.close();
      throw e;
    }
  }

  private static String dataConfig(Path dir, String name, int port, int replicaOf) {
    return String.join("\n",
      "port " + port,
      "bind 127.0.0.1",
      "protected-mode no",
      "daemonize no",
      "dir \"" + dir + "\"",
      "logfile \"" + RedisProcess.logFile(dir, name, port) + "\"",
      "dbfilename dump-" + port + ".rdb",
      "appendonly no",
      "save \"\"",
      // a replica's first sync at once, not after the 5 s Redis 7 waits by default for more replicas to join it
      "repl-diskless-sync-delay 0",
      replicaOf < 0 ? "" : "replicaof 127.0.0.1 " + replicaOf,
      "");
  }

  private static String sentinelConfig(Path dir, int port, String masterName, int masterPort) {
    return String.join("\n",
      "port " + port,
      "bind 127.0.0.1",
      "protected-mode no",
      "daemonize no",
      "dir \"" + dir + "\"",
      "logfile \"" + RedisProcess.logFile(dir, "sentinel", port) + "\"",
      "sentinel resolve-hostnames no",
      "sentinel announce-hostnames no",
      "sentinel monitor " + masterName + " 127.0.0.1 " + masterPort + " " + QUORUM,
      "sentinel down-after-milliseconds " + masterName + " " + DOWN_AFTER_MS,
      "sentinel failover-timeout " + masterName + " " + FAILOVER_TIMEOUT_MS,
      "sentinel parallel-syncs " + masterName + " 1",
      "");
  }

  private RedisProcess add(RedisProcess p) {
    return group.add(p);
  }

  /** {@code redis://127.0.0.1:<port>} of every sentinel, a sentinel client's endpoints. */
  public List<String> sentinels() {
    return sentinelPorts().stream().map(p -> "redis://127.0.0.1:" + p).collect(Collectors.toList());
  }

  /** The port of every sentinel. */
  public synchronized List<Integer> sentinelPorts() {
    return sentinels.stream().map(s -> s.port).collect(Collectors.toList());
  }

  /** The name the sentinels know the master by. */
  public String masterName() {
    return masterName;
  }

  /** The port of the replica as started (the master after a failover). */
  public synchronized int replicaPort() {
    return replicaPort;
  }

  /** The temporary directory of the configs (sentinels rewrite theirs) and logs. */
  public Path dir() {
    return dir;
  }

  /** The master's port now, as the first sentinel that answers says (SENTINEL GET-MASTER-ADDR-BY-NAME). */
  public int masterPort() {
    IOException failure = null;
    for (int sentinel : sentinelPorts()) {
      try {
        return masterPortSaidBy(sentinel);
      } catch (IOException e) {
        failure = e;
      }
    }
    throw new IllegalStateException("no sentinel answers where " + masterName + " is" + (failure == null ? ""
      : ": " + failure), failure);
  }

  private int masterPortSaidBy(int sentinel) throws IOException {
    List<?> address = (List<?>) call(sentinel, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName);
    if (address == null) {
      throw new IOException("sentinel " + sentinel + " knows no " + masterName);
    }
    return Integer.parseInt((String) address.get(1));
  }

  /** Runs one command on the process on {@code port}; its reply (an error reply throws an IOException). */
  public Object call(int port, String... command) throws IOException {
    return Resp.call("127.0.0.1", port, command);
  }

  /** Kills the master (as the sentinels say now) with SIGKILL, a crash, and waits until it is gone; its port. */
  public int killMaster() {
    int port = masterPort();
    RedisProcess master;
    synchronized (this) {
      master = data.get(port);
      if (master == null || !master.alive()) {
        throw new IllegalStateException("the sentinels say the master is on " + port + ", which is not running");
      }
      replacedMasterPort = port;
    }
    master.kill();
    return port;
  }

  /**
   * Asks a sentinel for a failover by hand ({@code SENTINEL FAILOVER}), as an operator does before working on the
   * master's machine: the master stays up, a replica is promoted, and the old master is turned into its replica (the
   * sentinels close its clients' connections then); the old master's port.
   */
  public int failoverByHand() throws IOException {
    int port = masterPort();
    synchronized (this) {
      replacedMasterPort = port;
    }
    call(sentinelPorts().get(0), "SENTINEL", "FAILOVER", masterName);
    return port;
  }

  /**
   * Waits until every sentinel names another master than the one {@link #killMaster()} killed (or
   * {@link #failoverByHand()} had replaced), the same, and with
   * nothing in progress (its SENTINEL MASTER flags just {@code master}), and that one answers ROLE master; its port.
   */
  public int awaitFailover(Duration within) {
    int dead;
    synchronized (this) {
      dead = replacedMasterPort;
    }
    if (dead < 0) {
      throw new IllegalStateException("no master killed by killMaster() nor replaced by failoverByHand()");
    }
    int[] promoted = new int[1];
    RedisProcess.await("the sentinels promoted a new master in place of " + dead, within, () -> {
      Integer agreed = null;
      for (int sentinel : sentinelPorts()) {
        int port = masterPortSaidBy(sentinel);
        if (port == dead) {
          return "sentinel " + sentinel + " still names " + dead;
        }
        if (agreed != null && agreed != port) {
          return "sentinels name " + agreed + " and " + port;
        }
        agreed = port;
        String flags = fields(call(sentinel, "SENTINEL", "MASTER", masterName)).get("flags");
        if (!"master".equals(flags)) {
          return "sentinel " + sentinel + " says flags " + flags;
        }
      }
      Object role = ((List<?>) call(agreed, "ROLE")).get(0);
      if (!"master".equals(role)) {
        return agreed + " answers ROLE " + role;
      }
      promoted[0] = agreed;
      return null;
    }, this::logs);
    return promoted[0];
  }

  /** Null when every sentinel sees the master on {@code masterPort}, the replica in sync and the others; else what not. */
  private String notSeen(int masterPort) throws IOException {
    List<Integer> all = sentinelPorts();
    for (int sentinel : all) {
      Map<String, String> master = fields(call(sentinel, "SENTINEL", "MASTER", masterName));
      if (!"master".equals(master.get("flags")) || !String.valueOf(masterPort).equals(master.get("port"))) {
        return "sentinel " + sentinel + " sees " + master.get("port") + " with flags " + master.get("flags");
      }
      List<?> replicas = (List<?>) call(sentinel, "SENTINEL", "REPLICAS", masterName);
      List<String> inSync = new ArrayList<>();
      for (Object r : replicas) {
        Map<String, String> replica = fields(r);
        if ("slave".equals(replica.get("flags")) && "ok".equals(replica.get("master-link-status"))) {
          inSync.add(replica.get("port"));
        }
      }
      if (!inSync.equals(List.of(String.valueOf(replicaPort())))) {
        return "sentinel " + sentinel + " sees the replicas in sync " + inSync;
      }
      List<String> others = new ArrayList<>();
      for (Object s : (List<?>) call(sentinel, "SENTINEL", "SENTINELS", masterName)) {
        Map<String, String> other = fields(s);
        if ("sentinel".equals(other.get("flags"))) {
          others.add(other.get("port"));
        }
      }
      if (others.size() != SENTINELS - 1) {
        return "sentinel " + sentinel + " sees the sentinels " + others;
      }
    }
    return null;
  }

  /** A flat list of names and values (as SENTINEL MASTER answers) as a map. */
  private static Map<String, String> fields(Object reply) {
    List<?> list = (List<?>) reply;
    Map<String, String> fields = new HashMap<>();
    for (int i = 0; i + 1 < list.size(); i += 2) {
      fields.put(String.valueOf(list.get(i)), String.valueOf(list.get(i + 1)));
    }
    return fields;
  }

  /** The tail of every log, for an error. */
  private String logs() {
    return group.logs();
  }

  /** Kills every process and deletes the directory. */
  @Override
  public void close() {
    group.close();
  }

  @Override
  public synchronized String toString() {
    return "Redis Sentinel set-up " + masterName + " (data " + data.keySet() + ", sentinels " + sentinelPorts()
      + ") in " + dir;
  }
}
