package io.seedgate.common.embedded;

import io.seedgate.common.FreePorts;
import io.seedgate.common.config.ConfigException;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without dev-services on the class path (this module's tests, like the production jar), the dev profile has no
 * embedded servers to fall back to: it refuses to start, naming the setting and what to run instead.
 */
class BackingServicesWithoutEmbeddedTest {

  @Test
  void theDevProfileSaysWhatToRunWhenNoRedisAnswersAndNoneIsEmbedded() {
    assertFalse(BackingServices.embeddedAvailable(), "gateway-common's tests must not see dev-services");
    String closed = "redis://127.0.0.1:" + FreePorts.tcp();
    NodeConfig config = NodeConfig.defaults().with(Map.of(Settings.PROFILE.path(), Settings.PROFILE_DEV,
      Settings.REDIS_URL.path(), closed));
    ConfigException e = assertThrows(ConfigException.class, () -> BackingServices.resolve(config));
    assertTrue(e.getMessage().contains("cannot reach Redis at '" + closed + "'")
      && e.getMessage().contains(Settings.REDIS_URL.path()) && e.getMessage().contains("SEED_REDIS_URL")
      && e.getMessage().contains("java -jar node-dev/target/seed-gateway-dev.jar"), e.getMessage());
  }

  @Test
  void embeddedServersAskedForDirectlyAreRefusedToo() {
    assertThrows(ConfigException.class, BackingServices::embeddedPostgres);
  }
}
