package io.seedgate.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A known number of commands sent to one redis-server in pipelined batches, and Pub/Sub subscribers that drain what
 * they are sent: the load of the Redis cost measurements ({@link RedisCostsCommand}).
 */
final class RedisLoad {

  private RedisLoad() {
  }

  /**
   * Sends {@code ops} commands to {@code port} over {@code connections} connections at once, each in batches of
   * {@code depth} commands written together and answered before the next (a gateway instance's batch of one
   * event-loop turn); the commands are taken from {@code pool} in turn. Returns once every reply was read.
   */
  static void send(int port, List<byte[]> pool, long ops, int depth, int connections) {
    List<Thread> threads = new ArrayList<>();
    List<RuntimeException> failures = new ArrayList<>();
    long perConnection = ops / connections;
    for (int c = 0; c < connections; c++) {
      int offset = c * (pool.size() / connections);
      long n = c == connections - 1 ? ops - perConnection * (connections - 1) : perConnection;
      Thread t = new Thread(() -> {
        try (Resp r = new Resp(port)) {
          int next = offset;
          long left = n;
          java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream(depth * 300);
          while (left > 0) {
            int k = (int) Math.min(depth, left);
            batch.reset();
            for (int i = 0; i < k; i++) {
              batch.writeBytes(pool.get(next));
              next = (next + 1) % pool.size();
            }
            r.write(batch.toByteArray());
            r.skip(k);
            left -= k;
          }
        } catch (IOException | RuntimeException e) {
          synchronized (failures) {
            failures.add(e instanceof RuntimeException re ? re : new UncheckedIOException((IOException) e));
          }
        }
      }, "redis-load-" + c);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }

  /** A subscriber connection ({@code SUBSCRIBE} or {@code SSUBSCRIBE}) whose thread reads and counts every byte. */
  static final class Subscriber implements AutoCloseable {
    private final Resp resp;
    private final AtomicLong bytes = new AtomicLong();
    private final Thread reader;
    private volatile boolean closed;

    Subscriber(int port, String subscribeCommand, String channel) throws IOException {
      this(port, subscribeCommand, List.of(channel));
    }

    /** Subscribes every channel (in chunks of 1,000, each confirmation read) before its reader starts. */
    Subscriber(int port, String subscribeCommand, List<String> channels) throws IOException {
      resp = new Resp(port);
      if (subscribeCommand.equalsIgnoreCase("SSUBSCRIBE")) {
        // the channels of one SSUBSCRIBE must share a slot: one command each, pipelined
        for (int from = 0; from < channels.size(); from += 1000) {
          List<String> chunk = channels.subList(from, Math.min(channels.size(), from + 1000));
          java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
          for (String c : chunk) {
            b.writeBytes(Resp.encode(subscribeCommand, c));
          }
          resp.write(b.toByteArray());
          resp.skip(chunk.size());
        }
      } else {
        for (int from = 0; from < channels.size(); from += 1000) {
          List<String> chunk = channels.subList(from, Math.min(channels.size(), from + 1000));
          List<String> args = new ArrayList<>(chunk.size() + 1);
          args.add(subscribeCommand);
          args.addAll(chunk);
          resp.write(Resp.encode(args.toArray(String[]::new)));
          resp.skip(chunk.size());
        }
      }
      reader = new Thread(this::drain, "redis-subscriber");
      reader.setDaemon(true);
      reader.start();
    }

    private void drain() {
      byte[] buf = new byte[1 << 16];
      InputStream in = resp.input();
      try {
        int n;
        while ((n = in.read(buf)) > 0) {
          bytes.addAndGet(n);
        }
      } catch (IOException e) {
        if (!closed) {
          throw new UncheckedIOException(e);
        }
      }
    }

    long bytes() {
      return bytes.get();
    }

    /** Waits until at least {@code expected} bytes were read since the subscription. */
    void await(long expected, long timeoutMs) {
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (bytes.get() < expected) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("subscriber got " + bytes.get() + " of " + expected + " bytes");
        }
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }

    @Override
    public void close() throws IOException {
      closed = true;
      resp.close();
    }
  }
}
