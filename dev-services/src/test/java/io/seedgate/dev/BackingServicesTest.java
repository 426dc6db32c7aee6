package io.seedgate.dev;

import io.seedgate.common.FreePorts;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.seedgate.common.embedded.BackingServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The start-up probes, against the test Redis and PostgreSQL (or embedded ones) and against impostors; and the
 * embedded servers themselves, found through {@code EmbeddedServers} as the dev jar finds them.
 */
class BackingServicesTest {

  private static String redis;
  private static String postgres;

  @BeforeAll
  static void servers() {
    NodeConfig resolved = BackingServices.resolve(NodeConfig.defaults());
    redis = resolved.get(Settings.REDIS_URL);
    postgres = resolved.get(Settings.POSTGRES_URL);
  }

  @Test
  void theEmbeddedServersAreFoundStartedOnceAndAnswer() {
    assertTrue(BackingServices.embeddedAvailable(), "dev-services registers EmbeddedBinaries");
    String embeddedRedis = BackingServices.embeddedRedis();
    assertTrue(BackingServices.answersRedis(embeddedRedis), embeddedRedis);
    assertEquals(embeddedRedis, BackingServices.embeddedRedis(), "once per JVM");
    String embeddedPostgres = BackingServices.embeddedPostgres();
    assertTrue(BackingServices.answersPostgres(embeddedPostgres), embeddedPostgres);
  }

  @Test
  void eachServerAnswersAsItselfAndNotAsTheOther() {
    assertTrue(BackingServices.answersRedis(redis), redis);
    assertTrue(BackingServices.answersPostgres(postgres), postgres);
    URI r = URI.create(redis);
    URI p = URI.create(postgres);
    assertFalse(BackingServices.answersPostgres("postgresql://postgres@" + r.getHost() + ":" + r.getPort() + "/x"),
      "a Redis is no PostgreSQL");
    assertFalse(BackingServices.answersRedis("redis://" + p.getHost() + ":" + p.getPort()), "nor the other way");
  }

  @Test
  void aPortWhereNothingListensOrNothingAnswersIsNoServer() throws Exception {
    int closed = FreePorts.tcp();
    assertFalse(BackingServices.answersRedis("redis://127.0.0.1:" + closed));
    assertFalse(BackingServices.answersPostgres("postgresql://postgres@127.0.0.1:" + closed + "/postgres"));
    assertFalse(BackingServices.answersRedis(""));

    List<Socket> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
    try (ServerSocket silent = new ServerSocket()) {
      silent.bind(new InetSocketAddress("127.0.0.1", 0));
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept());
          }
        } catch (Exception closedNow) {
          // the test ended
        }
      });
      acceptor.start();
      String at = "127.0.0.1:" + silent.getLocalPort();
      long start = System.nanoTime();
      assertTrue(BackingServices.reachable("redis://" + at, 6379), "it does accept connections");
      assertFalse(BackingServices.answersRedis("redis://" + at), "but never answers");
      assertFalse(BackingServices.answersPostgres("postgresql://postgres@" + at + "/postgres"));
      assertTrue(System.nanoTime() - start < 10_000_000_000L, "each probe gives up within its timeout");
    } finally {
      synchronized (accepted) {
        for (Socket s : accepted) {
          s.close();
        }
      }
    }
  }
}
