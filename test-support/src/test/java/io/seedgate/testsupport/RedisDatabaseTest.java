package io.seedgate.testsupport;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Against the machine's Redis on 127.0.0.1:6379 (skipped when none answers: no embedded one in this module). */
class RedisDatabaseTest {

  private static final String URL = "redis://127.0.0.1:6379";

  @BeforeAll
  static void redisAnswers() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", 6379), 500);
    } catch (IOException e) {
      assumeTrue(false, "no Redis on 127.0.0.1:6379");
    }
  }

  @Test
  void twoLeasesHoldTwoDatabasesAndAReleasedOneIsEmptyAndFree() {
    try (RedisDatabase a = RedisDatabase.lease(URL + "/0", "RedisDatabaseTest a");
         RedisDatabase b = RedisDatabase.lease(URL, "RedisDatabaseTest b")) {
      assertNotEquals(a.index(), b.index());
      assertTrue(a.index() >= RedisDatabase.FIRST && a.index() <= RedisDatabase.LAST, a.toString());
      assertEquals(URL + "/" + a.index(), a.url());
      assertTrue(a.toString().contains(String.valueOf(a.index())));
    }
  }

  @Test
  void aLeasedDatabaseIsEmptiedWhenReleased() throws Exception {
    URI server = URI.create(URL);
    int index;
    try (RedisDatabase a = RedisDatabase.lease(URL, "RedisDatabaseTest empty")) {
      index = a.index();
      RedisDatabase.call(server, index, "SET", "seed-test:probe", "x");
      assertEquals(1L, RedisDatabase.call(server, index, "DBSIZE"));
      assertNotNull(RedisDatabase.call(server, 0, "GET", RedisDatabase.KEY_PREFIX + index));
    }
    // another test JVM may lease it at once, but it empties it too
    assertNull(RedisDatabase.call(server, index, "GET", "seed-test:probe"));
  }

  @Test
  void withDatabaseReplacesTheIndex() {
    assertEquals("redis://h:1/7", RedisDatabase.withDatabase("redis://h:1/0", 7));
    assertEquals("redis://h:1/7", RedisDatabase.withDatabase("redis://h:1", 7));
    assertEquals("redis://:p@h:1/7", RedisDatabase.withDatabase("redis://:p@h:1/12", 7));
  }
}
