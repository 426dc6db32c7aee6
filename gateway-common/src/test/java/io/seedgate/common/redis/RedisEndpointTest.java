package io.seedgate.common.redis;

import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisEndpointTest {

  @Test
  void readsHostPortCredentialsDatabaseAndTls() {
    assertEquals(new RedisEndpoint("127.0.0.1", 6379, null, null, 0, false),
      RedisEndpoint.parse("redis://127.0.0.1"));
    assertEquals(new RedisEndpoint("redis.internal", 6380, null, null, 0, false),
      RedisEndpoint.parse("redis://redis.internal:6380/"));
    assertEquals(new RedisEndpoint("10.0.0.5", 6380, "app", "p@ss:wo+rd", 3, true),
      RedisEndpoint.parse("rediss://app:p%40ss:wo+rd@10.0.0.5:6380/3"), "percent-decoded; a + stays a +");
    assertEquals(new RedisEndpoint("::1", 6379, null, "secret", 0, false),
      RedisEndpoint.parse("redis://:secret@[::1]"));
    assertEquals(new RedisEndpoint("h", 1, null, null, 15, false), RedisEndpoint.parse("REDIS://h:1/15"));
  }

  @Test
  void badUrlsAreRefusedNamingWhatIsWrong() {
    refused("", "no Redis URL given");
    refused("not a url", "does not start with redis:// or rediss://");
    refused("127.0.0.1:6379", "does not start with redis:// or rediss://");
    refused("//127.0.0.1:6379", "does not start with redis:// or rediss://");
    refused("redis://127.0.0.1 6379", "has a space that a URL cannot have at character 18");
    refused("redis://:p\u00e4ss@127.0.0.1", "has a character that a URL cannot have at character 11");
    refused("http://127.0.0.1:6379", "the scheme 'http'");
    refused("unix:///tmp/redis.sock", "a Unix socket is not supported");
    refused("redis://", "has no host");
    refused("redis://:6379", "has no host");
    refused("redis://127.0.0.1:abc", "the port 'abc', which is not a number");
    refused("redis://127.0.0.1:0", "the port 0, not one from 1 to 65535");
    refused("redis://127.0.0.1:65536", "the port 65536");
    refused("redis://my_redis:6379", "the host 'my_redis', which is not a host name");
    refused("redis://127.0.0.1/x", "'x' where the database number goes");
    refused("redis://127.0.0.1/-1", "'-1' where the database number goes");
    refused("redis://127.0.0.1/1/2", "'1/2' where the database number goes");
    refused("redis://127.0.0.1?db=2&password=hunter2", "options after '?' (db, password)");
    refused("redis://127.0.0.1#x", "a '#' part");
    refused("redis://secret@127.0.0.1", "user info without a ':'");
    refused("redis://app:@127.0.0.1", "an empty password");
    refused("redis://:a%zz@127.0.0.1", "is not a URL");
  }

  @Test
  void errorsAndToStringDoNotShowThePassword() {
    for (String url : new String[] {"redis://:hunter2@127.0.0.1:abc", "redis://app:hunter2@my_host",
      "redis://hunter2@127.0.0.1", "redis://:hunter2@127.0.0.1/x", "redis://:hun/ter2@127.0.0.1"}) {
      String message = assertThrows(IllegalArgumentException.class, () -> RedisEndpoint.parse(url)).getMessage();
      assertFalse(message.contains("hunter2") || message.contains("hun/"), message);
      assertTrue(message.contains("redis://***@"), message);
    }
    assertEquals("rediss://app:***@10.0.0.5:6380/3", RedisEndpoint.parse("rediss://app:hunter2@10.0.0.5:6380/3")
      .toString());
    assertEquals("redis://:***@127.0.0.1:6379", RedisEndpoint.parse("redis://:hunter2@127.0.0.1").toString());
    assertEquals("redis://127.0.0.1:6379", RedisEndpoint.parse("redis://127.0.0.1").toString());
  }

  @Test
  void theVertxClientGetsTheSameEndpoint() {
    RedisOptions plain = RedisEndpoint.parse("redis://127.0.0.1").toRedisOptions();
    assertEquals("redis://127.0.0.1:6379", plain.getEndpoint(), "database 0: no SELECT");
    assertNull(plain.getPassword());
    assertNull(plain.getUser());
    assertFalse(plain.getNetClientOptions().isSsl());

    RedisOptions full = RedisEndpoint.parse("rediss://app:p%40ss+@[::1]:6380/3").toRedisOptions();
    assertEquals("rediss://[::1]:6380/3", full.getEndpoint(), "credentials not in the client's URL");
    assertEquals("p@ss+", full.getPassword(), "decoded here, not by the client (which reads a + as a space)");
    assertEquals("app", full.getUser());
    assertTrue(full.getNetClientOptions().isSsl());
    assertEquals("HTTPS", full.getNetClientOptions().getHostnameVerificationAlgorithm(), "the host name checked");
  }

  private static void refused(String url, String fragment) {
    String message = assertThrows(IllegalArgumentException.class, () -> RedisEndpoint.parse(url), url).getMessage();
    assertTrue(message.contains(fragment), url + ": " + message);
  }
}
