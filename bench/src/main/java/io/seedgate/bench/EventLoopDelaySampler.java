package io.seedgate.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the node's {@code seed_eventloop_delay_seconds} (per loop: the worst lateness of a 100 ms timer over the last
 * 5 s) from its operations port every 500 ms on a thread of its own, while a phase runs, and keeps the largest value
 * seen. Nothing when the node's operations port is unknown (an external node).
 */
final class EventLoopDelaySampler implements AutoCloseable {

  private static final Pattern DELAY = Pattern.compile("(?m)^seed_eventloop_delay_seconds\\{[^}]*}\\s+(\\S+)$");
  private static final Pattern LOGIN_BUCKET =
    Pattern.compile("(?m)^seed_login_latency_seconds_bucket\\{le=\"([^\"]+)\"[^}]*}\\s+(\\S+)$");
  private static final Pattern AUTH_FAILURES =
    Pattern.compile("(?m)^seed_auth_failures_total\\{reason=\"([A-Z_]+)\"[^}]*}\\s+(\\S+)$");

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final URI metrics;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile double maxSeconds = -1;
  private volatile int samples;
  private volatile String authFailures = "unknown";
  private volatile String loginLatency = "unknown";

  EventLoopDelaySampler(NodeTarget node) {
    this.metrics = node.opsPort > 0 ? URI.create("http://127.0.0.1:" + node.opsPort + "/metrics") : null;
    this.thread = new Thread(this::run, "seed-bench-eventloop-delay");
    thread.setDaemon(true);
    if (metrics != null) {
      thread.start();
    }
  }

  private void run() {
    while (running) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
        Matcher m = DELAY.matcher(r.body());
        double max = maxSeconds;
        while (m.find()) {
          max = Math.max(max, Double.parseDouble(m.group(1)));
        }
        maxSeconds = max;
        StringBuilder failures = new StringBuilder();
        Matcher f = AUTH_FAILURES.matcher(r.body());
        while (f.find()) {
          failures.append(failures.length() == 0 ? "" : ", ").append(f.group(1)).append(' ')
            .append((long) Double.parseDouble(f.group(2)));
        }
        authFailures = failures.toString();
        loginLatency = percentiles(r.body());
        samples++;
        Thread.sleep(500);
      } catch (IOException e) {
        // a scrape that fails under load is skipped; the next one may answer
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The worst event-loop delay seen, in milliseconds, or -1 when none was read. */
  double maxMillis() {
    return maxSeconds < 0 ? -1 : maxSeconds * 1000;
  }

  /** The node's {@code seed_auth_failures_total} by reason at the last reading, e.g. {@code AUTH_TIMEOUT 0, ...}. */
  String authFailures() {
    return authFailures;
  }

  /**
   * p50 and p99 of the node's {@code seed_login_latency_seconds} (token to active session) from its buckets: the
   * upper bound of the bucket each falls in.
   */
  private static String percentiles(String metrics) {
    java.util.TreeMap<Double, Double> cumulative = new java.util.TreeMap<>();
    Matcher m = LOGIN_BUCKET.matcher(metrics);
    while (m.find()) {
      double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
      cumulative.merge(le, Double.parseDouble(m.group(2)), Double::sum);
    }
    if (cumulative.isEmpty()) {
      return "unknown";
    }
    double count = cumulative.lastEntry().getValue();
    StringBuilder b = new StringBuilder().append((long) count).append(" logins");
    for (double q : new double[] {0.5, 0.99}) {
      for (var e : cumulative.entrySet()) {
        if (e.getValue() >= q * count) {
          b.append(String.format(java.util.Locale.ROOT, ", p%.0f <= %s", q * 100,
            e.getKey().isInfinite() ? "+Inf" : String.format(java.util.Locale.ROOT, "%.3f s", e.getKey())));
          break;
        }
      }
    }
    return b.toString();
  }

  /** The node's login latency (token to active session) at the last reading, from its histogram's buckets. */
  String loginLatency() {
    return loginLatency;
  }

  /**
   * The sum of every series of the node's metric {@code name} read once now; -1 when it cannot be read within 6 s
   * (the whole exchange, body included: a request's own timeout ends at the response's headers).
   */
  static double gauge(NodeTarget node, String name) {
    if (node.opsPort <= 0) {
      return -1;
    }
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.opsPort + "/metrics"))
      .timeout(Duration.ofSeconds(5)).build();
    try {
      String body = client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .get(6, java.util.concurrent.TimeUnit.SECONDS).body();
      Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})?\\s+(\\S+)$").matcher(body);
      double sum = -1;
      while (m.find()) {
        sum = Math.max(0, sum) + Double.parseDouble(m.group(2));
      }
      return sum;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  int samples() {
    return samples;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(6_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
