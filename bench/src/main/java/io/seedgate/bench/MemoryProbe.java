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
   * @param rss resident set size in bytes
   */
  record Sample(long heapUsed, long rss) {
    static final Sample UNKNOWN = new Sample(-1, -1);
  }

  private final long pid;
  private final boolean self;
  private MemoryMXBean memory;
  private JMXConnector connector;
  private boolean attachFailed;

  private MemoryProbe(long pid, boolean self) {
    this.pid = pid;
    this.self = self;
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
    return self ? "in this JVM (pid " + pid + ")" : "process " + pid;
  }

  /** Runs a full GC (twice, so that finalised objects go too), then reads heap in use and RSS. */
  Sample sample() {
    long heap = -1;
    MemoryMXBean bean = bean();
    if (bean != null) {
      try {
        bean.gc();
        sleep(200);
        bean.gc();
        heap = bean.getHeapMemoryUsage().getUsed();
      } catch (RuntimeException e) {
        Failures.warn(LOG, "[pid: {}] heap not readable: {}", pid, e);
      }
    }
    return new Sample(heap, rss(pid));
  }

  private MemoryMXBean bean() {
    if (memory != null || attachFailed) {
      return memory;
    }
    if (self) {
      memory = ManagementFactory.getMemoryMXBean();
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
