package io.seedgate.persistence.resp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EndpointTest {

  @Test
  void redisUrlsNameHostPortTlsCredentialsAndDatabase() {
    assertEquals(new RespConnection.Endpoint("10.0.0.5", 6380, true, "app", "p@ss:word", 3),
      RespConnection.Endpoint.parse("rediss://app:p%40ss:word@10.0.0.5:6380/3"));
    assertEquals(new RespConnection.Endpoint("::1", 6379, false, null, "secret", 0),
      RespConnection.Endpoint.parse("redis://:secret@[::1]"));
    assertEquals(new RespConnection.Endpoint("redis.internal", 6379, false, null, "only-password", 0),
      RespConnection.Endpoint.parse("redis://only-password@redis.internal/"));
    assertEquals(new RespConnection.Endpoint("127.0.0.1", 6379, false, null, null, 0),
      RespConnection.Endpoint.parse("redis://127.0.0.1"));
  }

  @Test
  void otherUrlsAreRefused() {
    for (String url : new String[] {"unix:///tmp/redis.sock", "http://127.0.0.1:6379", "redis://127.0.0.1/x",
      "not a url"}) {
      assertThrows(IllegalArgumentException.class, () -> RespConnection.Endpoint.parse(url), url);
    }
  }
}
