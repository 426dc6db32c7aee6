package io.seedgate.common.config;

import io.vertx.core.json.JsonArray;

import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * One configuration setting: its dotted path in the JSON config, its type, its default, the rule its value
 * must satisfy and the environment variable that overrides it.
 *
 * @param path        dotted path in the JSON config, e.g. {@code gateway.websocket.port}
 * @param type        the JSON type the value must have
 * @param defaultValue the value used when neither the file nor the environment gives one
 * @param rule        a human description of valid values, used in error messages and in the README
 * @param check       the test a value of the right type must pass
 * @param description what the setting does
 */
public record Setting(String path, Type type, Object defaultValue, String rule, Predicate<Object> check,
                      String description) {

  /** JSON value types a setting can have. */
  public enum Type { STRING, INT, BOOL, STRING_LIST }

  /**
   * The environment variable that overrides this setting: {@code SEED_} followed by the path in upper snake
   * case, e.g. {@code gateway.websocket.maxFrameBytes} becomes {@code SEED_GATEWAY_WEBSOCKET_MAX_FRAME_BYTES}.
   */
  public String envName() {
    StringBuilder sb = new StringBuilder("SEED_");
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '.') {
        sb.append('_');
      } else if (Character.isUpperCase(c)) {
        sb.append('_').append(c);
      } else {
        sb.append(Character.toUpperCase(c));
      }
    }
    return sb.toString().toUpperCase(Locale.ROOT);
  }

  /** The default as it is written in JSON, for the README. */
  public String defaultAsJson() {
    if (defaultValue == null) {
      return "null";
    }
    if (defaultValue instanceof String s) {
      return "\"" + s + "\"";
    }
    if (defaultValue instanceof List<?> l) {
      return new JsonArray(l).encode();
    }
    return String.valueOf(defaultValue);
  }
}
