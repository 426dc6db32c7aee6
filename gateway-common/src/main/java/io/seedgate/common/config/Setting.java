package io.seedgate.common.config;

import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One configuration setting: its dotted path in the JSON config, its type, its default, the rule its value
 * must satisfy and the environment variable that overrides it. {@code NodeConfig.get(setting)} returns a {@code T}.
 *
 * @param path         dotted path in the JSON config, e.g. {@code gateway.websocket.port}
 * @param type         the value's type, and how it is read from JSON and from an environment variable
 * @param defaultValue the value used when neither the file nor the environment gives one
 * @param rule         a human description of valid values, used in error messages and in the README
 * @param check        the test a value of the right type must pass; it may instead throw an
 *                     {@link IllegalArgumentException} whose message says what is wrong, added to the error
 * @param description  what the setting does
 * @param live         whether a changed config file applies it to a running node (see {@code ConfigSources})
 * @param <T>          the Java type of the value
 */
public record Setting<T>(String path, Type<T> type, T defaultValue, String rule, Predicate<? super T> check,
                         String description, boolean live) {

  /**
   * The types a setting can have: what a JSON value must be and how an environment variable is parsed. Values
   * are immutable ({@link #STRING_LIST} gives an unmodifiable list).
   *
   * @param <T> the Java type of the value
   */
  public static final class Type<T> {

    public static final Type<String> STRING = new Type<>("a string",
      v -> v instanceof String s ? s : null, raw -> raw, s -> s);
    public static final Type<Integer> INT = new Type<>("an integer",
      v -> v instanceof Integer i ? i : v instanceof Long l && l == l.intValue() ? Integer.valueOf(l.intValue()) : null,
      raw -> Integer.parseInt(raw.trim()), i -> i);
    public static final Type<Boolean> BOOL = new Type<>("true or false",
      v -> v instanceof Boolean b ? b : null, Type::parseBoolean, b -> b);
    public static final Type<List<String>> STRING_LIST = new Type<>(
      "a list of strings (comma-separated in an environment variable)", Type::stringList,
      raw -> raw.isBlank() ? List.of() : List.of(raw.trim().split("\\s*,\\s*")),
      l -> new JsonArray(new ArrayList<>(l)));

    private final String expected;
    private final Function<Object, T> fromJson;
    private final Function<String, T> fromEnv;
    private final Function<T, Object> toJson;

    private Type(String expected, Function<Object, T> fromJson, Function<String, T> fromEnv,
                 Function<T, Object> toJson) {
      this.expected = expected;
      this.fromJson = fromJson;
      this.fromEnv = fromEnv;
      this.toJson = toJson;
    }

    /** What a value must look like, for error messages: "an integer". */
    public String expected() {
      return expected;
    }

    /** The value of a JSON value as a {@link io.vertx.core.json.JsonObject} holds it; {@code null} if of another type. */
    T fromJson(Object json) {
      return json == null ? null : fromJson.apply(json);
    }

    /**
     * The value of an environment variable's text.
     *
     * @throws IllegalArgumentException when the text is not of this type
     */
    T fromEnv(String raw) {
      return fromEnv.apply(raw);
    }

    /** The value as {@link io.vertx.core.json.JsonObject} holds it (a list as a {@link JsonArray}). */
    Object toJson(T value) {
      return toJson.apply(value);
    }

    private static Boolean parseBoolean(String raw) {
      String v = raw.trim();
      if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
        throw new IllegalArgumentException("not a boolean");
      }
      return Boolean.parseBoolean(v);
    }

    private static List<String> stringList(Object v) {
      List<?> items = v instanceof JsonArray a ? a.getList() : v instanceof List<?> l ? l : null;
      if (items == null || !items.stream().allMatch(x -> x instanceof String)) {
        return null;
      }
      return items.stream().map(String.class::cast).toList();
    }
  }

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
    return render(defaultValue);
  }

  /** The value as JSON holds it. */
  Object toJson(T value) {
    return type.toJson(value);
  }

  /** A value as it is written in JSON, for messages: strings quoted, lists as JSON arrays. */
  static String render(Object v) {
    if (v instanceof String s) {
      return "\"" + s + "\"";
    }
    if (v instanceof List<?> l) {
      return new JsonArray(List.copyOf(l)).encode();
    }
    if (v instanceof JsonArray a) {
      return a.encode();
    }
    return String.valueOf(v);
  }
}
