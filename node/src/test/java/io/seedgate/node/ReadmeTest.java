package io.seedgate.node;

import io.seedgate.common.config.Setting;
import io.seedgate.common.config.Settings;
import io.seedgate.common.config.SettingsTable;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keeps the README true: every setting documented with its variable and default; CI runs the README's command. */
class ReadmeTest {

  private static final Path ROOT = Path.of("..");

  @Test
  void everySettingIsInTheReadmeWithItsVariableAndDefault() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    for (Setting<?> s : Settings.all().values()) {
      String row = "| `" + s.path() + "` | `" + s.envName() + "` | `" + s.defaultAsJson() + "` |";
      assertTrue(readme.contains(row), "README lacks the row for " + s.path() + " (regenerate the table): " + row);
    }
    assertTrue(readme.contains(SettingsTable.markdown()), "README's settings table is not the generated one"
      + " (regenerate it: java -cp node/target/seed-gateway.jar io.seedgate.common.config.SettingsTable)");
  }

  @Test
  void ciRunsTheReadmeTestCommand() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    String ci = Files.readString(ROOT.resolve(".ci/run"));
    assertTrue(readme.contains("mvn -B verify") && ci.contains("\nmvn -B verify\n"));
  }
}
