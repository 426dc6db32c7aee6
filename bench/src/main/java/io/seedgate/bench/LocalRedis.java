package io.seedgate.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * redis-server processes of the bench's own on loopback, for the Redis cost measurements and the per-shard run: one
 * standalone server, or a Redis Cluster of 1 to N masters (slots split evenly by {@code CLUSTER ADDSLOTSRANGE}, the
 * nodes joined with {@code CLUSTER MEET}: redis-cli's {@code --cluster create} refuses fewer than 3 masters) with
 * optional replicas. No persistence. {@link #close()} kills them and deletes their directory; so does a shutdown
 * hook. The machine's own Redis is never touched.
 */
final class LocalRedis implements AutoCloseable {

  static final int SLOTS = 16_384;
  private static final int FIRST_PORT = 14_000;
  private static final int PORT_RANGE = 4_000;
  private static final Random RANDOM = new Random();

  /** One redis-server: its port, its process and whether it is a master. */
  record Server(int port, Process process, boolean master) {
  }

  private final Path dir;
  private final boolean cluster;
  private final List<Server> servers = new ArrayList<>();
  private final Thread hook = new Thread(this::stopAll, "local-redis-stop");

  private LocalRedis(boolean cluster) {
    this.cluster = cluster;
    try {
      dir = Files.createTempDirectory("seed-bench-redis-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** One standalone server. */
  static LocalRedis standalone() {
    LocalRedis r = new LocalRedis(false);
    try {
      r.launch(true);
      return r;
    } catch (RuntimeException e) {
      r.close();
      throw e;
    }
  }

  /** A cluster of {@code masters} masters with {@code replicas} replicas each, ready (cluster_state:ok, synced). */
  static LocalRedis cluster(int masters, int replicas) {
    if (masters < 1 || replicas < 0) {
      throw new IllegalArgumentException("masters >= 1 and replicas >= 0");
    }
    LocalRedis r = new LocalRedis(true);
    try {
      for (int i = 0; i < masters; i++) {
        r.launch(true);
      }
      for (int i = 0; i < masters * replicas; i++) {
        r.launch(false);
      }
      r.join(masters, replicas);
      return r;
    } catch (IOException e) {
      r.close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      r.close();
      throw e;
    }
  }

  private void launch(boolean master) {
    for (int attempt = 0; attempt < 5; attempt++) {
      int port = FIRST_PORT + RANDOM.nextInt(PORT_RANGE);
      if (!free(port) || cluster && !free(port + 10_000)) {
        continue;
      }
      List<String> conf = new ArrayList<>(List.of("port " + port, "bind 127.0.0.1", "protected-mode no",
        "daemonize no", "dir \"" + dir + "\"", "logfile \"" + dir.resolve("redis-" + port + ".log") + "\"",
        "save \"\"", "appendonly no", "repl-diskless-sync yes", "repl-diskless-sync-delay 0",
        // a pubsub subscriber that lags while the publisher runs flat out must not be cut
        "client-output-buffer-limit pubsub 0 0 0"));
      if (cluster) {
        conf.addAll(List.of("cluster-enabled yes", "cluster-config-file nodes-" + port + ".conf",
          "cluster-node-timeout 5000", "repl-ping-replica-period 1"));
      }
      Path file = dir.resolve("redis-" + port + ".conf");
      try {
        Files.writeString(file, String.join("\n", conf) + "\n", StandardCharsets.UTF_8);
        Process p = new ProcessBuilder("redis-server", file.toString()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("redis-" + port + ".out").toFile()).start();
        Server s = new Server(port, p, master);
        servers.add(s);
        if (awaitPing(s)) {
          return;
        }
        p.destroyForcibly();
        servers.remove(s);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("could not start a redis-server (see " + dir + ")");
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean awaitPing(Server s) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!s.process.isAlive()) {
        return false;
      }
      try {
        if ("PONG".equals(Resp.call(s.port, "PING"))) {
          return true;
        }
      } catch (IOException e) {
        // not yet
      }
      sleep(50);
    }
    return false;
  }

  private void join(int masters, int replicas) throws IOException {
    List<Server> ms = masters();
    for (int i = 0; i < ms.size(); i++) {
      int from = i * SLOTS / masters;
      int to = (i + 1) * SLOTS / masters - 1;
      Resp.call(ms.get(i).port, "CLUSTER", "SET-CONFIG-EPOCH", Integer.toString(i + 1));
      Resp.call(ms.get(i).port, "CLUSTER", "ADDSLOTSRANGE", Integer.toString(from), Integer.toString(to));
    }
    int first = servers.get(0).port;
    for (Server s : servers.subList(1, servers.size())) {
      Resp.call(first, "CLUSTER", "MEET", "127.0.0.1", Integer.toString(s.port));
    }
    await("every node knows the others", () -> {
      for (Server s : servers) {
        if (!info(s.port, "CLUSTER", "INFO").getOrDefault("cluster_known_nodes", "").equals(
          Integer.toString(servers.size()))) {
          return false;
        }
      }
      return true;
    });
    List<Server> rs = servers.stream().filter(s -> !s.master).toList();
    for (int i = 0; i < rs.size(); i++) {
      String masterId = (String) Resp.call(ms.get(i % masters).port, "CLUSTER", "MYID");
      Resp.call(rs.get(i).port, "CLUSTER", "REPLICATE", masterId);
    }
    await("the cluster is ok and every replica in sync", () -> {
      for (Server s : servers) {
        if (!"ok".equals(info(s.port, "CLUSTER", "INFO").get("cluster_state"))) {
          return false;
        }
        if (!s.master && !"up".equals(info(s.port, "INFO", "replication").get("master_link_status"))) {
          return false;
        }
      }
      return true;
    });
  }

  /** The masters, in slot order (the first serves slots from 0). */
  List<Server> masters() {
    return servers.stream().filter(Server::master).toList();
  }

  List<Server> servers() {
    return List.copyOf(servers);
  }

  /** The master serving {@code slot} (slots were split evenly in the masters' order). */
  Server masterOfSlot(int slot) {
    List<Server> ms = masters();
    int i = ms.size() - 1;
    while (i > 0 && slot < i * SLOTS / ms.size()) {
      i--;
    }
    return ms.get(i);
  }

  /** redis-server's own CPU seconds so far (INFO cpu used_cpu_user + used_cpu_sys), all its threads. */
  static double cpuSeconds(int port) {
    try {
      Map<String, String> cpu = info(port, "INFO", "cpu");
      return Double.parseDouble(cpu.get("used_cpu_user")) + Double.parseDouble(cpu.get("used_cpu_sys"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, String> info(int port, String... command) throws IOException {
    Map<String, String> m = new TreeMap<>();
    for (String line : ((String) Resp.call(port, command)).split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        m.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return m;
  }

  interface Check {
    boolean ok() throws IOException;
  }

  private void await(String what, Check check) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not within 30 s: " + what + " (logs in " + dir + ")");
      }
      sleep(100);
    }
  }

  /** CRC16 (XMODEM) of the key's hash tag or whole key, modulo 16384: CLUSTER KEYSLOT. */
  static int slotOf(String key) {
    int from = 0;
    int to = key.length();
    int open = key.indexOf('{');
    if (open >= 0) {
      int close = key.indexOf('}', open + 1);
      if (close > open + 1) {
        from = open + 1;
        to = close;
      }
    }
    byte[] bytes = key.substring(from, to).getBytes(StandardCharsets.UTF_8);
    int crc = 0;
    for (byte b : bytes) {
      crc ^= (b & 0xff) << 8;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      crc &= 0xffff;
    }
    return crc & (SLOTS - 1);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private synchronized void stopAll() {
    for (Server s : servers) {
      s.process.destroyForcibly();
    }
    for (Server s : servers) {
      try {
        s.process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    servers.clear();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind
    }
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
    stopAll();
  }
}
