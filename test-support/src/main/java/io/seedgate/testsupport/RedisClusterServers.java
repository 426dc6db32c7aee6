package io.seedgate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Redis Cluster on loopback, of redis-server processes this JVM starts and kills: {@link #start(int, int)}
 * starts {@code masters} x (1 + {@code replicasPerMaster}) nodes in a temporary directory, joins them with
 * {@code redis-cli --cluster create} and returns once every node sees all 16384 slots served ({@code cluster_state:ok})
 * and they all agree on who serves which and every replica is in sync. A test can then {@link #kill(int)} a master,
 * as a crash would, and {@link #awaitFailover(int, Duration)} its replica's promotion (node timeout
 * {@value #NODE_TIMEOUT_MS} ms: a failover takes some 3 to 5 s). {@link #close()} kills every process and deletes the
 * directory, and so does a shutdown hook if a test forgets.
 *
 * <p>What the nodes answer is read over plain RESP sockets (no Vert.x). A test that needs the binaries asks
 * {@link #available()} first and skips with {@link #whyUnavailable()}.
 */
public final class RedisClusterServers implements AutoCloseable {

  public static final int SLOTS = 16_384;
  /** {@code cluster-node-timeout}: how long a node is unreachable before the others count it failing. */
  public static final int NODE_TIMEOUT_MS = 2_000;
  /** How long {@link #start} and {@link #restart} wait for the cluster to be whole. */
  static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private final Path dir;
  /** Every node by port, in the order started. */
  private final Map<Integer, RedisProcess> nodes = new LinkedHashMap<>();
  private final int replicasPerMaster;
  /** The slot ranges a master served when {@link #kill(int)} killed it, by its port. */
  private final Map<Integer, List<int[]>> killedMastersSlots = new HashMap<>();
  private final RedisProcessGroup group;

  private RedisClusterServers(Path dir, int replicasPerMaster) {
    this.dir = dir;
    this.replicasPerMaster = replicasPerMaster;
    this.group = new RedisProcessGroup(dir, "Redis Cluster");
  }

  /** Whether redis-server and redis-cli (6.2 or later) are on the PATH. */
  public static boolean available() {
    return whyUnavailable() == null;
  }

  /** Why the cluster cannot be started here (for a test's skip), or null when it can. */
  public static String whyUnavailable() {
    return RedisBinaries.whyUnavailable(RedisBinaries.SERVER, RedisBinaries.CLI);
  }

  /**
   * Starts a cluster of {@code masters} (at least 3, as redis-cli requires) masters with {@code replicasPerMaster}
   * replicas each and waits (up to 30 s) until it is whole; on failure, what was started is stopped and the error
   * says what was missing, with the tail of every node's log.
   */
  public static RedisClusterServers start(int masters, int replicasPerMaster) {
    if (masters < 3 || replicasPerMaster < 0) {
      throw new IllegalArgumentException("a Redis Cluster needs 3 masters or more and 0 replicas each or more, not "
        + masters + " and " + replicasPerMaster);
    }
    String why = whyUnavailable();
    if (why != null) {
      throw new IllegalStateException(why);
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("seed-redis-cluster-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    RedisClusterServers cluster = new RedisClusterServers(dir, replicasPerMaster);
    try {
      for (int i = 0; i < masters * (1 + replicasPerMaster); i++) {
        RedisProcess node = RedisProcess.launch(dir, "node", false, true, port -> config(dir, port));
        cluster.nodes.put(node.port, cluster.group.add(node));
      }
      cluster.create(replicasPerMaster);
      cluster.awaitWhole("the cluster of " + masters + " masters with " + replicasPerMaster + " replicas each is whole",
        null);
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private static String config(Path dir, int port) {
    return String.join("\n",
      "port " + port,
      "bind 127.0.0.1",
      "protected-mode no",
      "daemonize no",
      "dir \"" + dir + "\"",
      "logfile \"" + RedisProcess.logFile(dir, "node", port) + "\"",
      "cluster-enabled yes",
      "cluster-config-file nodes-" + port + ".conf",
      "cluster-node-timeout " + NODE_TIMEOUT_MS,
      // a replica takes over however long ago it last heard from its master (else a replica that lost its master
      // some node timeouts before may never be promoted)
      "cluster-replica-validity-factor 0",
      "appendonly no",
      "save \"\"",
      // a replica's first sync at once, not after the 5 s Redis 7 waits by default for more replicas to join it
      "repl-diskless-sync-delay 0",
      // Redis 7.0 leaves a replica out of CLUSTER SLOTS (so clients do not see it) while its replication offset is
      // 0, which on an idle master it stays until the master's first ping to its replicas, every 10 s by default
      "repl-ping-replica-period 1",
      "");
  }

  /** {@code redis-cli --cluster create} of every node, with {@code replicas} replicas a master. */
  private void create(int replicas) {
    List<String> command = new ArrayList<>(List.of(RedisBinaries.CLI, "--cluster", "create"));
    nodes.keySet().forEach(port -> command.add("127.0.0.1:" + port));
    command.addAll(List.of("--cluster-replicas", String.valueOf(replicas), "--cluster-yes"));
    Path out = dir.resolve("cluster-create.out");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        throw new IllegalStateException(String.join(" ", command) + " did not end within " + READY_TIMEOUT.toSeconds()
          + " s:\n" + Files.readString(out, StandardCharsets.UTF_8) + logs());
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue() + ":\n"
          + Files.readString(out, StandardCharsets.UTF_8) + logs());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code redis://127.0.0.1:<port>} of every node started (running or not), a client's seed endpoints. */
  public List<String> seeds() {
    return ports().stream().map(p -> "redis://127.0.0.1:" + p).collect(Collectors.toList());
  }

  /** The port of every node started (running or not), in the order started. */
  public synchronized List<Integer> ports() {
    return List.copyOf(nodes.keySet());
  }

  /** The temporary directory of the nodes' configs, logs and {@code nodes-<port>.conf}. */
  public Path dir() {
    return dir;
  }

  /** The running nodes that serve slots as masters now, as a running node's CLUSTER NODES says. */
  public List<Integer> masters() {
    return topology().values().stream()
      .filter(n -> n.master() && !n.failing() && !n.slots.isEmpty() && running(n.port))
      .map(n -> n.port).sorted().collect(Collectors.toList());
  }

  /** The running nodes that are replicas now, as a running node's CLUSTER NODES says. */
  public List<Integer> replicas() {
    return topology().values().stream().filter(n -> !n.master() && !n.failing() && running(n.port))
      .map(n -> n.port).sorted().collect(Collectors.toList());
  }

  /** The running replicas of the master on {@code masterPort} now. */
  public List<Integer> replicasOf(int masterPort) {
    Map<String, Node> nodes = topology();
    Node master = nodes.values().stream().filter(n -> n.port == masterPort).findFirst()
      .orElseThrow(() -> new IllegalArgumentException("no node on port " + masterPort + " in the cluster"));
    return nodes.values().stream().filter(n -> master.id.equals(n.masterId) && !n.failing() && running(n.port))
      .map(n -> n.port).sorted().collect(Collectors.toList());
  }

  /** The port of the master that serves {@code slot} now, as a running node's CLUSTER NODES says. */
  public int portForSlot(int slot) {
    if (slot < 0 || slot >= SLOTS) {
      throw new IllegalArgumentException("no slot " + slot);
    }
    return topology().values().stream().filter(n -> n.master() && !n.failing() && n.serves(slot))
      .mapToInt(n -> n.port).findFirst()
      .orElseThrow(() -> new IllegalStateException("no master serves slot " + slot + " now"));
  }

  /** The port of the master that serves {@code key}'s slot now. */
  public int masterOf(String key) {
    return portForSlot(slotOf(key));
  }

  /**
   * The cluster slot of {@code key}: CRC16 (XMODEM) of its hash tag ({@code {...}}, the first non-empty one) or of
   * the whole key, modulo 16384, as CLUSTER KEYSLOT computes it.
   */
  public static int slotOf(String key) {
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    int from = 0;
    int to = bytes.length;
    for (int open = 0; open < bytes.length; open++) {
      if (bytes[open] == '{') {
        for (int close = open + 1; close < bytes.length; close++) {
          if (bytes[close] == '}') {
            if (close > open + 1) {
              from = open + 1;
              to = close;
            }
            break;
          }
        }
        break;
      }
    }
    return crc16(bytes, from, to) & (SLOTS - 1);
  }

  /** CRC16-CCITT (XMODEM): polynomial 0x1021, initial 0, neither reflected. */
  static int crc16(byte[] bytes, int from, int to) {
    int crc = 0;
    for (int i = from; i < to; i++) {
      crc ^= (bytes[i] & 0xff) << 8;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      crc &= 0xffff;
    }
    return crc;
  }

  /** Runs one command on the node on {@code port}; its reply (an error reply throws an IOException). */
  public Object call(int port, String... command) throws IOException {
    return Resp.call("127.0.0.1", port, command);
  }

  /**
   * Kills the node on {@code port} with SIGKILL (a crash: no shutdown, nothing saved) and waits until it is gone.
   * If it was a master, the slots it served are noted for {@link #awaitFailover}.
   */
  public void kill(int port) {
    RedisProcess node = node(port);
    if (!node.alive()) {
      throw new IllegalStateException(node + " is not running");
    }
    Node seen = topology().values().stream().filter(n -> n.port == port).findFirst().orElse(null);
    if (seen != null && seen.master() && !seen.slots.isEmpty()) {
      synchronized (this) {
        killedMastersSlots.put(port, seen.slots);
      }
    }
    node.kill();
  }

  /**
   * Starts the node on {@code port} again, after {@link #kill(int)}, with its config and its
   * {@code nodes-<port>.conf} (no data: nothing is saved), and waits until the cluster is whole with it in it (a master
   * whose slots were taken over meanwhile comes back as its successor's replica).
   */
  public void restart(int port) {
    RedisProcess node = node(port);
    node.start();
    synchronized (this) {
      killedMastersSlots.remove(port);
    }
    awaitWhole(node + " is back and the cluster whole", port);
  }

  /**
   * Waits until a replica took over the slots the master on {@code deadMasterPort} served when {@link #kill(int)}
   * killed it: every running node says {@code cluster_state:ok}, they all agree on who serves which slots, and the
   * one that serves those answers ROLE master; its port.
   */
  public int awaitFailover(int deadMasterPort, Duration within) {
    List<int[]> slots;
    synchronized (this) {
      slots = killedMastersSlots.get(deadMasterPort);
    }
    if (slots == null) {
      throw new IllegalStateException("port " + deadMasterPort + " is not a master that kill() killed");
    }
    int[] successor = new int[1];
    RedisProcess.await("a replica took over the slots of the master on " + deadMasterPort, within, () -> {
      String notYet = notWhole(null);
      if (notYet != null) {
        return notYet;
      }
      Set<Integer> owners = slots.stream().map(r -> portForSlot(r[0])).collect(Collectors.toSet());
      for (int[] range : slots) {
        owners.add(portForSlot(range[1]));
      }
      if (owners.size() != 1 || owners.contains(deadMasterPort)) {
        return "the dead master's slots are served by " + owners;
      }
      int port = owners.iterator().next();
      Object role = ((List<?>) call(port, "ROLE")).get(0);
      if (!"master".equals(role)) {
        return port + " answers ROLE " + role;
      }
      successor[0] = port;
      return null;
    }, this::logs);
    return successor[0];
  }

  /**
   * Waits until every running node says cluster_state:ok with all slots, knows every node, agrees with the others on
   * CLUSTER SLOTS, every master has its replicas (those running), every replica is in sync, and {@code withPort} (if
   * not null) is in it.
   */
  private void awaitWhole(String what, Integer withPort) {
    RedisProcess.await(what, READY_TIMEOUT, () -> notWhole(withPort), this::logs);
  }

  /** Null when the cluster is whole (see {@link #awaitWhole}), else what is missing. */
  private String notWhole(Integer withPort) throws IOException {
    List<Integer> running = running();
    String agreed = null;
    int agreedPort = -1;
    for (int port : running) {
      Map<String, String> info = info(port, "CLUSTER", "INFO");
      if (!"ok".equals(info.get("cluster_state"))) {
        return port + " says cluster_state:" + info.get("cluster_state");
      }
      if (!String.valueOf(SLOTS).equals(info.get("cluster_slots_assigned"))) {
        return port + " says cluster_slots_assigned:" + info.get("cluster_slots_assigned");
      }
      if (!String.valueOf(nodes.size()).equals(info.get("cluster_known_nodes"))) {
        return port + " says cluster_known_nodes:" + info.get("cluster_known_nodes") + " of " + nodes.size();
      }
      String slots = slots(port);
      if (agreed == null) {
        agreed = slots;
        agreedPort = port;
      } else if (!agreed.equals(slots)) {
        return port + " says CLUSTER SLOTS " + slots + " but " + agreedPort + " " + agreed;
      }
      List<?> role = (List<?>) call(port, "ROLE");
      if ("slave".equals(role.get(0)) && !"connected".equals(role.get(3))) {
        return port + " is a replica " + role.get(3) + " to its master";
      }
    }
    for (String range : agreed.split(" ")) {
      // start-end:master[replica,replica]; replicas that died are left out of CLUSTER SLOTS once marked failing
      int open = range.indexOf('[');
      String replicas = range.substring(open + 1, range.length() - 1);
      long count = replicas.isEmpty() ? 0 : replicas.split(",").length;
      long dead = nodes.values().stream().filter(n -> !n.alive()).count();
      if (count < replicasPerMaster - dead) {
        return "range " + range + " has " + count + " replicas";
      }
    }
    if (withPort != null && !agreed.matches(".*[:\\[,]" + withPort + "[\\[\\],].*")) {
      return withPort + " not in CLUSTER SLOTS " + agreed;
    }
    return null;
  }

  /** CLUSTER SLOTS of {@code port} in a form to compare: ranges by start, as start-end:master[replicas sorted]. */
  private String slots(int port) throws IOException {
    TreeMap<Long, String> ranges = new TreeMap<>();
    for (Object r : (List<?>) call(port, "CLUSTER", "SLOTS")) {
      List<?> range = (List<?>) r;
      long start = (Long) range.get(0);
      long master = (Long) ((List<?>) range.get(2)).get(1);
      List<Long> replicas = new ArrayList<>();
      for (Object replica : range.subList(3, range.size())) {
        replicas.add((Long) ((List<?>) replica).get(1));
      }
      replicas.sort(null);
      ranges.put(start, start + "-" + range.get(1) + ":" + master + replicas.toString().replace(" ", ""));
    }
    return String.join(" ", ranges.values());
  }

  /** An INFO-like reply ({@code key:value} lines) of {@code port} as a map. */
  private Map<String, String> info(int port, String... command) throws IOException {
    Map<String, String> info = new HashMap<>();
    for (String line : ((String) call(port, command)).split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        info.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return info;
  }

  /** A node of CLUSTER NODES. */
  private static final class Node {
    final String id;
    final int port;
    final Set<String> flags;
    final String masterId;
    final List<int[]> slots = new ArrayList<>();

    Node(String line) {
      String[] parts = line.trim().split(" ");
      id = parts[0];
      String address = parts[1].split("[@,]")[0];
      port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
      flags = Set.of(parts[2].split(","));
      masterId = parts[3];
      for (int i = 8; i < parts.length; i++) {
        if (parts[i].startsWith("[")) {
          continue; // a slot being migrated or imported
        }
        String[] range = parts[i].split("-");
        slots.add(new int[] {Integer.parseInt(range[0]), Integer.parseInt(range[range.length - 1])});
      }
    }

    boolean master() {
      return flags.contains("master");
    }

    boolean failing() {
      return flags.contains("fail") || flags.contains("fail?") || flags.contains("noaddr");
    }

    boolean serves(int slot) {
      return slots.stream().anyMatch(r -> r[0] <= slot && slot <= r[1]);
    }
  }

  /** CLUSTER NODES of the first running node that answers, by node id. */
  private Map<String, Node> topology() {
    IOException failure = null;
    for (int port : running()) {
      try {
        Map<String, Node> nodes = new LinkedHashMap<>();
        for (String line : ((String) call(port, "CLUSTER", "NODES")).split("\n")) {
          if (!line.isBlank()) {
            Node n = new Node(line);
            nodes.put(n.id, n);
          }
        }
        return nodes;
      } catch (IOException e) {
        failure = e;
      }
    }
    throw new IllegalStateException("no running node answers CLUSTER NODES" + (failure == null ? "" : ": " + failure),
      failure);
  }

  private synchronized RedisProcess node(int port) {
    RedisProcess node = nodes.get(port);
    if (node == null) {
      throw new IllegalArgumentException("no node of this cluster on port " + port + " (ports: " + nodes.keySet() + ")");
    }
    return node;
  }

  private synchronized List<Integer> running() {
    return nodes.values().stream().filter(RedisProcess::alive).map(n -> n.port).collect(Collectors.toList());
  }

  private boolean running(int port) {
    RedisProcess node;
    synchronized (this) {
      node = nodes.get(port);
    }
    return node != null && node.alive();
  }

  /** The tail of every node's log, for an error. */
  private String logs() {
    return group.logs();
  }

  /** Kills every node and deletes the directory. */
  @Override
  public void close() {
    group.close();
  }

  @Override
  public synchronized String toString() {
    return "Redis Cluster of " + nodes.keySet() + " in " + dir;
  }
}
