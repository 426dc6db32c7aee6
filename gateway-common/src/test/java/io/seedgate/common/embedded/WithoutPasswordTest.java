package io.seedgate.common.embedded;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What BackingServices shows of a URL in its log lines and errors: never the password. */
class WithoutPasswordTest {

  @Test
  void thePasswordIsMaskedAndTheRestShown() {
    assertEquals("postgresql://app:***@db:5432/game",
      BackingServices.withoutPassword("postgresql://app:s3cr@t@db:5432/game"));
    assertEquals("redis://:***@127.0.0.1:6379", BackingServices.withoutPassword("redis://:hunter2@127.0.0.1:6379"));
    assertEquals("postgresql://postgres@127.0.0.1:5432/postgres",
      BackingServices.withoutPassword("postgresql://postgres@127.0.0.1:5432/postgres"));
    assertEquals("redis://127.0.0.1:6379", BackingServices.withoutPassword("redis://127.0.0.1:6379"));
  }
}
