package io.seedgate.common.config;

/**
 * Prints the README's configuration table from {@link Settings}:
 * {@code java -cp node/target/seed-gateway.jar io.seedgate.common.config.SettingsTable}.
 */
public final class SettingsTable {

  private SettingsTable() {
  }

  public static void main(String[] args) {
    System.out.println(markdown());
  }

  /**
   * One row per setting: path, environment variable, default, valid values, meaning; "(applies live)" after the
   * meaning of a setting that a changed config file applies to a running node ({@link Setting#live()}).
   */
  public static String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("| setting | environment variable | default | valid values | what it does |\n");
    sb.append("|---|---|---|---|---|\n");
    for (Setting<?> s : Settings.all().values()) {
      sb.append("| `").append(s.path()).append("` | `").append(s.envName()).append("` | `")
        .append(s.defaultAsJson()).append("` | ").append(s.rule()).append(" | ")
        .append(s.description().replace("|", "\\|")).append(s.live() ? " (applies live)" : "").append(" |\n");
    }
    return sb.toString();
  }
}
