package io.seedgate.node;

import io.seedgate.common.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Resumes across nodes (issue 17), over two clustered node processes of the shaded jar on real Redis and
 * PostgreSQL, with real WebSocket clients: a client whose connection drops resumes on the other node, and a drain
 * of one node moves its resumable players to the other; each client checks every delivery it got for gaps and
 * duplicates, in its sequence numbers and in the publisher's own counter.
 */
class ResumeAcrossNodesIT {

  private final Vertx vertx = Vertx.vertx();
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<ResumingClient> clients = new ArrayList<>();
  private JWTAuth jwt;
  private static final int LEASE_SECONDS = 3;

  @AfterEach
  void stop() throws Exception {
    clients.forEach(ResumingClient::close);
    for (NodeProcess n : nodes) {
      n.close();
    }
    await(vertx.close());
  }

  @Test
  void aClientWhoseConnectionDropsResumesOnTheOtherNodeWithoutGapOrDuplicate() throws Exception {
    startTwoNodes("resume-drop");
    String map = "m" + UUID.randomUUID().toString().substring(0, 8);
    ResumingClient mover = client(map);
    mover.connect(nodes.get(0).wsPort, null);
    until("logged in", 20_000, () -> mover.resumeToken != null);

    Publisher publisher = new Publisher("map:" + map, 100);
    publisher.start();
    until("deliveries arrive", 10_000, () -> mover.counters.size() >= 20);
    for (int round = 0; round < 4; round++) {
      int node = (round + 1) % 2;
      int before = mover.counters.size();
      int resumesBefore = mover.resumes.get();
      mover.dropConnection();
      Thread.sleep(300); // deliveries published meanwhile are buffered by the holder
      mover.connect(nodes.get(node).wsPort, mover.resumeToken);
      until("resumed on node " + node, 20_000, () -> mover.resumes.get() == resumesBefore + 1
        && mover.counters.size() > before + 30);
    }
    publisher.stop();
    until("every published delivery arrived", 10_000, () -> mover.lastCounter() == publisher.last());

    assertEquals(List.of(), mover.problems, "gaps, duplicates or failures seen by the client");
    assertEquals(4, mover.resumes.get(), "resumes");
    assertEquals(0, assertContiguous(mover, publisher.first()), "deliveries lost across the resumes");
  }

  @Test
  void drainingOneOfTwoNodesMovesItsThousandResumablePlayersWithoutLosingAMessage() throws Exception {
    startTwoNodes("resume-drain");
    String map = "m" + UUID.randomUUID().toString().substring(0, 8);
    int players = 1_000;
    for (int i = 0; i < players; i++) {
      ResumingClient c = client(map);
      c.connect(nodes.get(i % 2).wsPort, null);
      c.reconnectTo = nodes.get(1).wsPort;
    }
    until("every player logged in", 120_000, () -> clients.stream().allMatch(c -> c.resumeToken != null));

    String broadcast = "broadcast";
    Publisher publisher = new Publisher(broadcast, 20);
    publisher.start();
    until("broadcasts arrive everywhere", 20_000, () -> clients.stream().allMatch(c -> c.counters.size() >= 3));

    NodeProcess draining = nodes.get(0);
    long drainAt = System.currentTimeMillis();
    try (OpsHttp http = new OpsHttp(vertx, draining.opsPort, TestNode.ADMIN_TOKEN)) {
      assertEquals(202, http.post("/admin/nodes/" + draining.id + "/drain", null).status());
    }
    assertEquals(0, draining.awaitExit(90), "the drained node exits cleanly once its sessions were taken");
    long drainMs = System.currentTimeMillis() - drainAt;
    Thread.sleep(2_000); // more broadcasts, to the survivors only
    publisher.stop();
    until("every broadcast arrived everywhere", 30_000,
      () -> clients.stream().allMatch(c -> c.lastCounter() == publisher.last()));

    List<String> problems = new ArrayList<>();
    int resumed = 0;
    for (ResumingClient c : clients) {
      c.problems.forEach(p -> problems.add(c.player + ": " + p));
      resumed += c.resumes.get();
    }
    assertEquals(List.of(), problems.subList(0, Math.min(20, problems.size())), problems.size() + " problems");
    assertEquals(players / 2, resumed, "every player of the drained node resumed on the other, once");
    long lost = 0;
    for (ResumingClient c : clients) {
      lost += assertContiguous(c, c.counters.get(0));
    }
    assertEquals(0, lost, "broadcasts lost across the drain");

    // the drained node's incarnations are dead now: once their leases lapsed and a router swept them, every
    // player must still be online, on its map, owned by its session on the surviving node
    Thread.sleep(LEASE_SECONDS * 1000L + 5_000);
    RedisAPI redis = RedisAPI.api(Redis.createClient(vertx, TestSupport.backingServices().get(Settings.REDIS_URL)));
    List<String> ghostsOrKicked = new ArrayList<>();
    for (ResumingClient c : clients) {
      String owner = String.valueOf(await(redis.get("seed:session:" + c.player)));
      String token = owner.substring(owner.lastIndexOf('|') + 1);
      if (!owner.startsWith(nodes.get(1).id + "|") || await(redis.zscore("map:" + map, token)) == null
        || "offline".equals(String.valueOf(await(redis.hget(token, "action")))) || c.closedForGood()) {
        ghostsOrKicked.add(c.player + " owned by " + owner);
      }
    }
    assertEquals(List.of(), ghostsOrKicked.subList(0, Math.min(10, ghostsOrKicked.size())),
      ghostsOrKicked.size() + " players not online on the surviving node after the sweep of the drained one");
    System.out.printf("drain of 1 of 2 nodes: %d resumable players resumed on the other, node exited %d ms after "
      + "the drain request; %d broadcasts, 0 lost, 0 duplicated%n", resumed, drainMs, publisher.last());
  }

  @Test
  void aTcpClientResumesOverUdpOnTheOtherNodeThenOverTcpBack() throws Exception {
    startTwoNodes("resume-transports");
    RedisAPI redis = RedisAPI.api(Redis.createClient(vertx, TestSupport.backingServices().get(Settings.REDIS_URL)));
    String player = Long.toString(4_000_000_000L + (long) (Math.random() * 1_000_000_000L));
    String token = UUID.randomUUID().toString().toUpperCase();
    await(redis.hset(List.of(token, "id", player, "map_id", "m" + player)));
    Sequence seen = new Sequence();
    int n = 0;

    try (TcpTestClient tcp = TcpTestClient.connect(nodes.get(0).tcpPort)) {
      tcp.send(new JsonObject().put("token", token).put("action", "api/load").put("resume", true));
      seen.resume = tcp.next().getJsonObject("session").getString("resume");
      for (; n < 3; n++) {
        await(redis.publish("token:" + token, "{\"n\":" + n + "}"));
        seen.take(tcp, n);
      }
    }
    for (int i = 0; i < 4; i++, n++) {
      await(redis.publish("player:" + player, "{\"n\":" + n + "}"));
    }
    try (UdpTestClient udp = UdpTestClient.open(nodes.get(1).udpPort)) {
      udp.send(new JsonObject().put("resume", seen.resume).put("seq", seen.last));
      JsonObject resumed = udp.next().getJsonObject("resumed");
      assertEquals(4, resumed.getInteger("replayed"), "what was published while it was away, from node 0");
      seen.resume = resumed.getString("resume");
      for (int i = 3; i < 7; i++) {
        seen.take(udp, i);
      }
      await(redis.publish("token:" + token, "{\"n\":" + n + "}"));
      seen.take(udp, n++);
      // the phone goes back to Wi-Fi: a TCP connection to node 0 resumes while the UDP address still looks alive
      await(redis.publish("token:" + token, "{\"n\":" + n++ + "}"));
      assertEquals(1, udp.countFor(500), "sent to the UDP address, lost to the phone");
      try (TcpTestClient tcp = TcpTestClient.connect(nodes.get(0).tcpPort)) {
        tcp.send(new JsonObject().put("resume", seen.resume).put("seq", seen.last));
        JsonObject back = tcp.next().getJsonObject("resumed");
        assertEquals(1, back.getInteger("replayed"), "the delivery it did not read over UDP");
        seen.take(tcp, n - 1);
        await(redis.publish("map:m" + player, "{\"n\":" + n + "}"));
        seen.take(tcp, n++);
        assertEquals(0, udp.countFor(300), "nothing more to the old UDP address");
      }
    }
  }

  @Test
  void aResumeOfASessionWhoseNodeDiedIsAnsweredElsewhereAndTheConnectionLogsInAfresh() throws Exception {
    startTwoNodes("resume-dead");
    String map = "m" + UUID.randomUUID().toString().substring(0, 8);
    ResumingClient phone = client(map);
    phone.connect(nodes.get(0).wsPort, null);
    until("logged in", 20_000, () -> phone.resumeToken != null);
    phone.dropConnection();
    nodes.get(0).kill9();
    try (TestClient again = TestClient.connect(vertx, nodes.get(1).wsPort)) {
      again.sendBinary(new JsonObject().put("resume", phone.resumeToken).put("seq", phone.lastSeq));
      // until the cluster notices the death, the request goes to the dead member's registration and times out
      // (HandoverTaker.PREPARE_TIMEOUT_MS, 5 s): the answer may take that long
      String answer = again.nextText(15_000);
      assertEquals(new JsonObject().put("error", "resume failed").put("reason", "elsewhere"),
        answer == null ? null : new JsonObject(answer), "the node holding the session is gone");
      again.sendBinary(new JsonObject().put("token", phone.token).put("action", "api/load").put("resume", true));
      assertTrue(again.nextContaining("\"session\"").getJsonObject("session").getString("resume")
        .startsWith(nodes.get(1).id + "."), "a fresh resumable session on the surviving node");
    }
  }

  /** Sequenced deliveries {@code {"seq":s,"msg":{"n":..}}} read one by one: each the next seq and the expected n. */
  private static final class Sequence {
    long last;
    String resume;

    void take(ReceivingClient c, int expectedN) {
      JsonObject m = c.next();
      assertEquals(last + 1, m.getLong("seq"), "the next sequence number: " + m.encode());
      assertEquals(expectedN, m.getJsonObject("msg").getInteger("n"), "in order, once: " + m.encode());
      last = m.getLong("seq");
    }
  }

  private void startTwoNodes(String name) throws Exception {
    Path xml = NodeProcess.clusterXml(name + "-" + UUID.randomUUID().toString().substring(0, 8));
    JsonObject conf = new JsonObject()
      .put("gateway", new JsonObject().put("resume", new JsonObject().put("windowSeconds", 30))
        .put("limits", new JsonObject().put("maxConnectionsPerIp", 4_096)))
      .put("node", new JsonObject().put("leaseSeconds", LEASE_SECONDS))
      .put("ops", new JsonObject().put("shutdownTimeoutSeconds", 60))
      .put("examples", new JsonObject().put("javaService", false));
    nodes.add(NodeProcess.start("ra", conf, xml));
    nodes.add(NodeProcess.start("rb", conf, xml));
    jwt = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256")
      .setBuffer(TestNode.JWT_SECRET)));
  }

  private ResumingClient client(String map) {
    String player = Long.toString(3_000_000_000L + (long) (Math.random() * 1_000_000_000L));
    ResumingClient c = new ResumingClient(player, jwt.generateToken(new JsonObject().put("sub", player)
      .put("map", map), new JWTOptions().setExpiresInSeconds(600)));
    clients.add(c);
    return c;
  }

  /** The counters the client received are every one from {@code from} to its last, in order; returns those missing. */
  private static long assertContiguous(ResumingClient c, long from) {
    long missing = 0;
    long expected = from;
    for (long n : c.counters) {
      assertTrue(n >= expected, c.player + ": counter " + n + " after " + (expected - 1) + " (duplicate or out of order)");
      missing += n - expected;
      expected = n + 1;
    }
    return missing;
  }

  private void until(String what, long ms, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + ms;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        StringBuilder logs = new StringBuilder();
        for (NodeProcess n : nodes) {
          try {
            List<String> lines = Files.readAllLines(n.log);
            logs.append("\n--- ").append(n.id).append(" (last 40 lines)\n")
              .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
          } catch (Exception e) {
            logs.append(e);
          }
        }
        throw new AssertionError("not " + what + " within " + ms + " ms; problems: "
          + clients.stream().flatMap(c -> c.problems.stream()).limit(10).toList() + logs);
      }
      Thread.sleep(20);
    }
  }

  /** A game service publishing {@code {"n":<counter>}} on a channel at a steady rate, the way 2021 services do. */
  private final class Publisher {
    private final String channel;
    private final long everyMs;
    private final AtomicInteger next = new AtomicInteger(1);
    private volatile long timer = -1;
    /** One connection: a pool's connections would let publishes overtake each other. */
    private final RedisAPI connection = RedisAPI.api(await(Redis.createClient(vertx,
      TestSupport.backingServices().get(Settings.REDIS_URL)).connect()));

    Publisher(String channel, int perSecond) {
      this.channel = channel;
      this.everyMs = Math.max(1, 1000 / perSecond);
    }

    void start() {
      timer = vertx.setPeriodic(everyMs, t -> {
        int n = next.getAndIncrement();
        connection.publish(channel, new JsonObject().put("n", n).encode());
      });
    }

    void stop() throws InterruptedException {
      vertx.cancelTimer(timer);
      Thread.sleep(200);
    }

    long first() {
      return 1;
    }

    long last() {
      return next.get() - 1;
    }
  }

  /**
   * A resumable WebSocket client as a phone runs it: logs in with a JWT asking for a resumable session, checks
   * every delivery's sequence number, and when told to reconnect (a drain) or when its connection is dropped,
   * resumes with its resume token and the last sequence number it saw.
   */
  private final class ResumingClient {
    final String player;
    final String token;
    final List<Long> counters = new CopyOnWriteArrayList<>();
    final List<String> problems = new CopyOnWriteArrayList<>();
    final AtomicInteger resumes = new AtomicInteger();
    volatile String resumeToken;
    volatile boolean resumed;
    volatile long lastSeq;
    volatile int reconnectTo = -1;
    private final WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions());
    private volatile WebSocket socket;
    private volatile boolean dropping;

    ResumingClient(String player, String token) {
      this.player = player;
      this.token = token;
    }

    /** Its socket is closed and it is not resuming. */
    boolean closedForGood() {
      return socket == null || socket.isClosed() && !dropping;
    }

    long lastCounter() {
      return counters.isEmpty() ? 0 : counters.get(counters.size() - 1);
    }

    void connect(int port, String resumeWith) {
      resumed = false;
      String uri = resumeWith == null ? "/?token=" + token + "&resume=1" : "/";
      Future<WebSocket> f = ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri));
      f.onSuccess(s -> {
        socket = s;
        dropping = false;
        s.textMessageHandler(this::onText);
        s.binaryMessageHandler(b -> onText(b.toString()));
        s.closeHandler(v -> onClose());
        if (resumeWith != null) {
          s.writeTextMessage(new JsonObject().put("resume", resumeWith).put("seq", lastSeq).encode());
        }
      }).onFailure(e -> problems.add("connect failed: " + e.getMessage()));
    }

    /** The connection goes without a word, as when a phone enters a tunnel. */
    void dropConnection() {
      dropping = true;
      socket.close();
    }

    private void onText(String text) {
      JsonObject m = new JsonObject(text);
      if (m.containsKey("session")) {
        resumeToken = m.getJsonObject("session").getString("resume");
      } else if (m.containsKey("resumed")) {
        resumeToken = m.getJsonObject("resumed").getString("resume");
        resumes.incrementAndGet();
        resumed = true;
      } else if (m.containsKey("seq")) {
        long seq = m.getLong("seq");
        if (seq != lastSeq + 1) {
          problems.add("seq " + seq + " after " + lastSeq);
        }
        lastSeq = seq;
        Object msg = m.getValue("msg");
        JsonObject payload = msg instanceof JsonObject o ? o : new JsonObject(msg.toString());
        if (payload.containsKey("n")) {
          counters.add(payload.getLong("n"));
        }
      } else if ("server stopped".equals(m.getString("error"))) {
        if (reconnectTo < 0) {
          problems.add("told to reconnect with nowhere to go");
        }
      } else if (m.containsKey("error")) {
        problems.add(text);
      }
    }

    private void onClose() {
      if (dropping) {
        return;
      }
      if (reconnectTo >= 0 && resumeToken != null) {
        connect(reconnectTo, resumeToken);
      } else {
        problems.add("closed");
      }
    }

    void close() {
      dropping = true;
      if (socket != null) {
        socket.close();
      }
      ws.close();
    }
  }
}
