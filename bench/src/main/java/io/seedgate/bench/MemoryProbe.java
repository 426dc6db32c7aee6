package io.seedgate.bench;

import io.seedgate.common.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The node's memory: Java heap in use after a full GC (through the {@link MemoryMXBean}: in this JVM, or in the
 * node's JVM through the attach API and its local JMX agent), and the process's resident set ({@code VmRSS} from
 * {@code /proc/<pid>/status}). Blocking: call it from the main thread.
 */
final class MemoryProbe implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MemoryProbe.class);

  /**
   * One sample; -1 means unknown.
   *
   * @param heapUsed heap bytes in use after GC
   * @param rss resident set size in bytes, after that GC
   * @param direct off-heap buffer bytes after GC: the JVM's direct buffer pool ({@code BufferPoolMXBean} "direct",
   *               where Netty's direct buffers are counted unless it allocates them without a cleaner), or a Node.js
   *               process's {@code external} memory (Buffers and ArrayBuffers)
   * @param rssBeforeGc resident set size in bytes before the probe's GC: what a container is charged for while the
   *                    process runs
   */
  record Sample(long heapUsed, long rss, long direct, long rssBeforeGc) {
    static final Sample UNKNOWN = new Sample(-1, -1, -1, -1);

    Sample(long heapUsed, long rss) {
      this(heapUsed, rss, -1, -1);
    }
  }

  private final long pid;
  private final boolean self;
  /** A Node.js process's memory endpoint, or null for a JVM. */
  private final java.net.URI nodejsMemory;
  private MemoryMXBean memory;
  private java.lang.management.BufferPoolMXBean directPool;
  private JMXConnector connector;
  private boolean attachFailed;

  private MemoryProbe(long pid, boolean self) {
    this(pid, self, null);
  }

  private MemoryProbe(long pid, boolean self, java.net.URI nodejsMemory) {
    this.pid = pid;
    this.self = self;
    this.nodejsMemory = nodejsMemory;
  }

  /** Probes a Node.js gateway: RSS from /proc, heap and external memory after a GC from its GET /memory. */
  static MemoryProbe nodejs(long pid, int opsPort) {
    return new MemoryProbe(pid, false, java.net.URI.create("http://127.0.0.1:" + opsPort + "/memory"));
  }

  /** Probes this JVM (the node runs in-process). */
  static MemoryProbe self() {
    return new MemoryProbe(ProcessHandle.current().pid(), true);
  }

  /** Probes another JVM by process id (heap through attach + JMX when possible, RSS always). */
  static MemoryProbe process(long pid) {
    return new MemoryProbe(pid, false);
  }

  long pid() {
    return pid;
  }

  String describe() {
    return self ? "in this JVM (pid " + pid + ")" : nodejsMemory != null ? "Node.js process " + pid : "process " + pid;
  }

  /** Runs a full GC (twice, so that finalised objects go too), then reads heap in use and RSS. */
  Sample sample() {
    long rssBefore = rss(pid);
    if (nodejsMemory != null) {
      return nodejsSample(rssBefore);
    }
    long heap = -1;
    long direct = -1;
    MemoryMXBean bean = bean();
    if (bean != null) {
      try {
        bean.gc();
        sleep(200);
        bean.gc();
        heap = bean.getHeapMemoryUsage().getUsed();
        direct = directPool == null ? -1 : directPool.getMemoryUsed();
      } catch (RuntimeException e) {
        Failures.warn(LOG, "[pid: {}] heap not readable: {}", pid, e);
      }
    }
    return new Sample(heap, rss(pid), direct, rssBefore);
  }

  /** GET /memory of the Node.js gateway: it runs two full GCs, then answers process.memoryUsage(). */
  private Sample nodejsSample(long rssBefore) {
    long heap = -1;
    long external = -1;
    try {
      java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(nodejsMemory).timeout(java.time.Duration.ofSeconds(30)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
      io.vertx.core.json.JsonObject m = new io.vertx.core.json.JsonObject(r.body());
      heap = m.getLong("heapUsed", -1L);
      external = m.getLong("external", -1L);
      if (!m.getBoolean("gc", false)) {
        LOG.warn("[pid: {}] the Node.js gateway runs without --expose-gc: its heap is read without a GC", pid);
      }
    } catch (IOException | RuntimeException e) {
      Failures.warn(LOG, "[pid: {}] Node.js memory not readable: {}", pid, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sleep(200);
    return new Sample(heap, rss(pid), external, rssBefore);
  }

  private MemoryMXBean bean() {
    if (memory != null || attachFailed) {
      return memory;
    }
    if (self) {
      memory = ManagementFactory.getMemoryMXBean();
      directPool = ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
        .filter(b -> b.getName().equals("direct")).findFirst().orElse(null);
      return memory;
    }
    try {
      com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(Long.toString(pid));
      String address;
      try {
        address = vm.startLocalManagementAgent();
      } finally {
        vm.detach();
      }
      connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
      MBeanServerConnection server = connector.getMBeanServerConnection();
      memory = ManagementFactory.newPlatformMXBeanProxy(server, ManagementFactory.MEMORY_MXBEAN_NAME,
        MemoryMXBean.class);
      directPool = ManagementFactory.newPlatformMXBeanProxy(server, "java.nio:type=BufferPool,name=direct",
        java.lang.management.BufferPoolMXBean.class);
    } catch (Exception | LinkageError e) {
      attachFailed = true;
      // no attach in this JVM or to that process (a container, another user): the environment, not a bug
      LOG.warn("[pid: {}] cannot attach for the heap (RSS only): {}", pid, e.toString());
    }
    return memory;
  }

  /** {@code VmRSS} of a process in bytes, -1 when unreadable. */
  static long rss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return parseKb(line) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("[pid: {}] no RSS: {}", pid, e.getMessage());
    }
    return -1;
  }

  /** The number in a {@code /proc} status line such as {@code VmRSS:   123456 kB}. */
  static long parseKb(String line) {
    String digits = line.replaceAll("[^0-9]", "");
    return digits.isEmpty() ? -1 : Long.parseLong(digits);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (connector != null) {
      try {
        connector.close();
      } catch (IOException e) {
        LOG.debug("closing JMX connector: {}", e.getMessage());
      }
    }
  }
}
