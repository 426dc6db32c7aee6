package io.seedgate.bench;

import io.seedgate.bench.Players.Player;
import io.seedgate.common.Failures;
import io.seedgate.common.RedisKeys;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The load generator: a Vert.x instance of its own with {@code --threads} event loops ({@link Worker}s), the
 * clients spread over them, and the phases it measures. Methods here block the calling (main) thread.
 */
final class LoadGenerator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LoadGenerator.class);

  final Vertx vertx;
  final List<Worker> workers = new ArrayList<>();
  final Redis redis;
  final Players players;
  private final LoadOptions options;
  private final int addresses;
  /** Deletes this run's players if the bench is interrupted before {@link #close()}. */
  private final Thread cleanUpOnExit;
  private final String redisUrl;
  private final List<Redis> floorRedis = new ArrayList<>();
  private final List<RedisConnection> floorPublishers = new ArrayList<>();
  /** The login histograms of the workers' shares, handed over as each share is done. */
  private final List<Histogram> loginHistograms = java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<Histogram> handshakeHistograms = java.util.Collections.synchronizedList(new ArrayList<>());

  /**
   * Connection counts of one set of gateway clients.
   *
   * @param attempted connections tried
   * @param connected connections opened
   * @param authenticated logins answered
   * @param failed connections or logins that failed
   * @param firstError the first failure's message, or null
   * @param login      from the start of a connection to its login's answer, of the logins answered
   * @param handshake  from the start of a connection to its being open (the WebSocket handshake done)
   * @param failures   failed connections and logins by what they failed with (the gateway's error, a close, a
   *                   timeout, a refused connection)
   */
  record Connections(int attempted, int connected, int authenticated, int failed, String firstError,
                     LatencySummary login, LatencySummary handshake, Map<String, Integer> failures) {
  }

  /** What a failed connection or login is counted under: the gateway's error text, else the failure's kind. */
  static String failureKind(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int error = m.indexOf("{\"error\"");
    if (error >= 0) {
      return m.substring(error);
    }
    if (e instanceof java.util.concurrent.TimeoutException || m.contains("imed out")) {
      return "timeout";
    }
    return m.length() > 80 ? e.getClass().getSimpleName() + ": " + m.substring(0, 80) : m;
  }

  /**
   * @param clients the most clients a phase will open (picks the source addresses when they are not given)
   */
  LoadGenerator(LoadOptions options, String redisUrl, int clients) {
    this.options = options;
    this.addresses = options.sourceAddressesFor(clients);
    this.redisUrl = redisUrl;
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(1, options.threads))
      .setPreferNativeTransport(true));
    for (int i = 0; i < Math.max(1, options.threads); i++) {
      workers.add(new Worker(vertx, i));
    }
    this.redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl)
      .setMaxWaitingHandlers(1 << 16));
    this.players = new Players(redis);
    this.cleanUpOnExit = new Thread(() -> {
      try {
        BenchMain.await(players.cleanUp(), 30_000);
      } catch (RuntimeException e) {
        Failures.warn(LOG, "[run: {}] players not cleaned up: {}", players.run(), e);
      }
    }, "seed-bench-clean-up");
    Runtime.getRuntime().addShutdownHook(cleanUpOnExit);
  }

  private static String sourceAddress(int a) {
    return "127.0.0." + a;
  }

  /** A client of the chosen transport for one player, its source address picked by the player's token. */
  private GatewayClient newClient(Worker worker, Player p, NodeTarget node, int share, Buffer action, byte[] reply) {
    int a = Math.floorMod(p.token().hashCode(), addresses);
    return switch (options.transport) {
      case websocket -> new WebSocketGatewayClient(worker, node.host, node.port,
        addresses > 1 ? sourceAddress(a + 1) : null,
        action, reply, options.frames == LoadOptions.Frames.text);
      case tcp -> new TcpGatewayClient(worker, node.host, node.tcpPort, addresses > 1 ? sourceAddress(a + 1) : null,
        action, reply);
      case udp -> new UdpGatewayClient(worker, addresses > 1 ? sourceAddress(a + 1) : null, node.host, node.udpPort,
        action, reply);
    };
  }

  /**
   * Opens one gateway connection per player and logs each in; clients go round-robin to the workers and, within
   * a worker, to the source addresses. At most {@code --login-concurrency} logins are in flight.
   *
   * @param loginAction the first message's action ({@code api/load} as the 2021 client, or {@code api/save})
   * @param action the action the clients send later
   */
  Connections connectGateway(List<Player> ps, NodeTarget node, String loginAction, String action) {
    return connectGateway(ps, node, loginAction, action, false);
  }

  /**
   * Like {@link #connectGateway(List, NodeTarget, String, String)}; {@code resume}: each client asks for a resumable
   * session at login and reads numbered deliveries.
   */
  Connections connectGateway(List<Player> ps, NodeTarget node, String loginAction, String action, boolean resume) {
    byte[] loginReply = Messages.replyPrefix(loginAction);
    byte[] reply = Messages.replyPrefix(action);
    Buffer actionMessage = Messages.action(action);
    int n = workers.size();
    List<Future<Connections>> perWorker = new ArrayList<>();
    for (int w = 0; w < n; w++) {
      Worker worker = workers.get(w);
      List<Player> share = new ArrayList<>();
      for (int i = w; i < ps.size(); i += n) {
        share.add(ps.get(i));
      }
      int concurrency = Math.max(1, options.loginConcurrency / n);
      perWorker.add(worker.call(() -> {
        int[] counts = new int[3];
        String[] firstError = new String[1];
        Histogram logins = LatencySummary.newHistogram();
        Histogram handshakes = LatencySummary.newHistogram();
        Map<String, Integer> failures = new TreeMap<>();
        return throttled(share, concurrency, p -> {
          GatewayClient c = newClient(worker, p, node, share.size(), actionMessage, reply);
          long started = System.nanoTime();
          return c.connect()
            .compose(v -> {
              counts[0]++;
              LatencySummary.recordNanos(handshakes, System.nanoTime() - started);
              return c.login(Messages.login(p.token(), loginAction, resume), loginReply,
                options.loginTimeoutSeconds * 1000L, resume);
            })
            .onSuccess(v -> {
              counts[1]++;
              LatencySummary.recordNanos(logins, System.nanoTime() - started);
              worker.endpoints.add(c);
            })
            .onFailure(e -> {
              counts[2]++;
              failures.merge(failureKind(e), 1, Integer::sum);
              if (firstError[0] == null) {
                firstError[0] = e.toString();
              }
              c.close();
            })
            .otherwiseEmpty();
        }).map(v -> new Connections(share.size(), counts[0], counts[1], counts[2], firstError[0],
          LatencySummary.of(logins), LatencySummary.of(handshakes), failures)).onSuccess(c -> {
            loginHistograms.add(logins);
            handshakeHistograms.add(handshakes);
          });
      }));
    }
    int attempted = 0;
    int connected = 0;
    int authenticated = 0;
    int failed = 0;
    String firstError = null;
    Map<String, Integer> failures = new TreeMap<>();
    for (Future<Connections> f : perWorker) {
      Connections c = BenchMain.await(f, options.loginTimeoutSeconds * 1000L + ps.size() * 50L);
      attempted += c.attempted();
      connected += c.connected();
      authenticated += c.authenticated();
      failed += c.failed();
      firstError = firstError != null ? firstError : c.firstError();
      c.failures().forEach((k, v) -> failures.merge(k, v, Integer::sum));
    }
    Histogram logins = LatencySummary.newHistogram();
    Histogram handshakes = LatencySummary.newHistogram();
    synchronized (loginHistograms) {
      loginHistograms.forEach(logins::add);
      loginHistograms.clear();
      handshakeHistograms.forEach(handshakes::add);
      handshakeHistograms.clear();
    }
    if (firstError != null) {
      LOG.warn("{} of {} connections or logins failed, first: {}", failed, attempted, firstError);
    }
    return new Connections(attempted, connected, authenticated, failed, firstError, LatencySummary.of(logins),
      LatencySummary.of(handshakes), failures);
  }

  /** The source addresses clients are spread over. */
  int sourceAddresses() {
    return addresses;
  }

  /** Closes every client of every worker and forgets them. */
  void disconnectAll() {
    List<Future<Void>> closing = new ArrayList<>();
    for (Worker w : workers) {
      closing.add(w.call(() -> {
        List<Future<Void>> all = new ArrayList<>();
        for (RoundTripper e : w.endpoints) {
          if (e instanceof GatewayClient g) {
            all.add(g.close().otherwiseEmpty());
          } else if (e instanceof FloorClient f) {
            all.add(f.close().otherwiseEmpty());
          }
        }
        w.endpoints.clear();
        return Future.join(all).mapEmpty();
      }));
    }
    closing.forEach(f -> BenchMain.await(f.otherwiseEmpty(), 120_000));
    floorPublishers.forEach(RedisConnection::close);
    floorPublishers.clear();
    floorRedis.forEach(Redis::close);
    floorRedis.clear();
  }

  /**
   * Sets up the floor clients: per worker one publisher connection, per player one subscriber connection on
   * {@code token:<T>}.
   */
  void connectFloor(List<Player> ps, String actionPrefix, String nodeId, String action) {
    byte[] reply = Messages.replyPrefix(action);
    String channel = actionPrefix + action.substring(0, action.indexOf('/'));
    int n = workers.size();
    List<Future<Void>> perWorker = new ArrayList<>();
    for (int w = 0; w < n; w++) {
      Worker worker = workers.get(w);
      List<Player> share = new ArrayList<>();
      for (int i = w; i < ps.size(); i += n) {
        share.add(ps.get(i));
      }
      Redis r = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl)
        .setMaxPoolSize(share.size() + 4).setMaxPoolWaiting(share.size() + 16).setMaxWaitingHandlers(1 << 16));
      floorRedis.add(r);
      perWorker.add(worker.call(() -> r.connect().compose(pub -> {
        floorPublishers.add(pub);
        return throttled(share, 64, p -> {
          FloorClient c = new FloorClient(worker, pub, channel, Players.envelope(p, action, nodeId), reply);
          return c.subscribe(r, RedisKeys.tokenChannel(p.token())).onSuccess(v -> worker.endpoints.add(c));
        });
      })));
    }
    perWorker.forEach(f -> BenchMain.await(f, 120_000));
  }

  /**
   * Runs one measured phase over the endpoints attached now: warm-up, then the window, then waits up to
   * {@code drainMs} for the answers still due.
   *
   * @param rate total actions per second (open loop), or 0 for a closed loop
   */
  PhaseResult runPhase(String name, double warmupSeconds, double durationSeconds, double rate, long drainMs,
                       CpuMeter cpu) {
    long start = System.nanoTime() + 100_000_000L;
    long windowStart = start + (long) (warmupSeconds * 1e9);
    long windowEnd = windowStart + (long) (durationSeconds * 1e9);
    double share = rate / workers.size();
    workers.forEach(w -> BenchMain.await(w.call(() -> w.begin(start, windowStart, windowEnd, share,
      options.answerTimeoutMs)), 10_000));
    sleepUntil(windowStart);
    CpuMeter.Sample cpuBefore = cpu.sample();
    sleepUntil(windowEnd);
    CpuMeter.Sample cpuAfter = cpu.sample();
    workers.forEach(w -> BenchMain.await(w.call(w::stop), 10_000));
    long drainEnd = System.nanoTime() + drainMs * 1_000_000L;
    while (System.nanoTime() < drainEnd && outstanding() > 0) {
      sleepMs(20);
    }
    PhaseResult result = collect(name, durationSeconds);
    return result.withCpu(CpuMeter.perOperation(cpuBefore, cpuAfter, result.completed()));
  }

  /**
   * Fan-out: per broadcast in the window, the latency of its first delivery and of its last one, over all workers.
   *
   * @return two phase results, {@code <name> first} and {@code <name> last}, one value per broadcast
   */
  List<PhaseResult> firstAndLast(String name, double durationSeconds) {
    long[] first = new long[0];
    long[] last = new long[0];
    for (Worker w : workers) {
      Worker.Snapshot s = BenchMain.await(w.call(w::snapshot), 10_000);
      if (s.firstBySeq().length > first.length) {
        first = java.util.Arrays.copyOf(first, s.firstBySeq().length);
        last = java.util.Arrays.copyOf(last, s.lastBySeq().length);
      }
      for (int i = 0; i < s.firstBySeq().length; i++) {
        long f = s.firstBySeq()[i];
        if (f > 0 && (first[i] == 0 || f < first[i])) {
          first[i] = f;
        }
        last[i] = Math.max(last[i], s.lastBySeq()[i]);
      }
    }
    Histogram firsts = LatencySummary.newHistogram();
    Histogram lasts = LatencySummary.newHistogram();
    for (int i = 0; i < first.length; i++) {
      if (first[i] > 0) {
        LatencySummary.recordNanos(firsts, first[i]);
        LatencySummary.recordNanos(lasts, last[i]);
      }
    }
    return List.of(new PhaseResult(name + " first", LatencySummary.of(firsts), firsts.getTotalCount(),
        durationSeconds, 0, 0),
      new PhaseResult(name + " last", LatencySummary.of(lasts), lasts.getTotalCount(), durationSeconds, 0, 0));
  }

  /** Merges the workers' figures of the current phase. */
  PhaseResult collect(String name, double durationSeconds) {
    Histogram merged = LatencySummary.newHistogram();
    long completed = 0;
    long errors = 0;
    long lost = 0;
    long outstanding = 0;
    for (Worker w : workers) {
      Worker.Snapshot s = BenchMain.await(w.call(w::snapshot), 10_000);
      merged.add(s.histogram());
      completed += s.completed();
      errors += s.errors();
      lost += s.lost();
      outstanding += s.outstanding();
    }
    return new PhaseResult(name, LatencySummary.of(merged), completed, durationSeconds, errors + lost, outstanding);
  }

  /** Resumable sessions: deliveries of the current phase whose numbers the clients saw skipped. */
  long skipped() {
    long n = 0;
    for (Worker w : workers) {
      n += BenchMain.await(w.call(w::snapshot), 10_000).skipped();
    }
    return n;
  }

  private long outstanding() {
    long n = 0;
    for (Worker w : workers) {
      n += BenchMain.await(w.call(w::outstanding), 10_000);
    }
    return n;
  }

  /** Runs {@code task} for every item with at most {@code concurrency} running at once; never fails. */
  static <T> Future<Void> throttled(List<T> items, int concurrency, Function<T, Future<?>> task) {
    Promise<Void> done = Promise.promise();
    if (items.isEmpty()) {
      return Future.succeededFuture();
    }
    int[] next = {0};
    int[] finished = {0};
    Runnable[] launch = new Runnable[1];
    launch[0] = () -> {
      if (next[0] >= items.size()) {
        return;
      }
      T item = items.get(next[0]++);
      Future<?> f;
      try {
        f = task.apply(item);
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> {
        finished[0]++;
        if (finished[0] == items.size()) {
          done.tryComplete();
        } else {
          launch[0].run();
        }
      });
    };
    for (int i = 0; i < Math.min(concurrency, items.size()); i++) {
      launch[0].run();
    }
    return done.future();
  }

  static void sleepUntil(long nanoTime) {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      sleepMs(Math.max(1, Math.min(500, left / 1_000_000)));
    }
  }

  static void sleepMs(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(cleanUpOnExit);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs
    }
    disconnectAll();
    BenchMain.await(players.cleanUp().otherwiseEmpty(), 120_000);
    redis.close();
    BenchMain.await(vertx.close(), 60_000);
  }
}
