package io.seedgate.common.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A node's validated configuration: every {@link Settings setting} with its value from the environment, the
 * config file or its default, in that order of precedence.
 *
 * <p>{@link #load(JsonObject, Map)} rejects an unknown setting (in the file, or a {@code SEED_*} variable) and a
 * value of the wrong type or out of range, with a {@link ConfigException} naming the setting.
 */
public final class NodeConfig {

  private static final String ENV_PREFIX = "SEED_";

  private final JsonObject values;

  private NodeConfig(JsonObject values) {
    this.values = values;
  }

  /**
   * Validates a config file's content and the environment.
   *
   * @param file the JSON config (nested objects, as in {@code conf/dev.json}); may be empty
   * @param env  the environment, usually {@link System#getenv()}
   * @throws ConfigException naming the first unknown or invalid setting
   */
  public static NodeConfig load(JsonObject file, Map<String, String> env) {
    Map<String, Setting> all = Settings.all();
    JsonObject flat = new JsonObject();
    flatten("", file == null ? new JsonObject() : file, flat);
    for (String path : flat.fieldNames()) {
      if (!all.containsKey(path)) {
        throw new ConfigException("unknown setting '" + path + "' in the config file");
      }
    }
    Map<String, Setting> byEnv = new java.util.HashMap<>();
    all.values().forEach(s -> byEnv.put(s.envName(), s));
    for (String name : env.keySet()) {
      if (name.startsWith(ENV_PREFIX) && !byEnv.containsKey(name)) {
        throw new ConfigException("unknown setting in environment variable " + name);
      }
    }
    JsonObject values = new JsonObject();
    for (Setting s : all.values()) {
      Object value;
      String source;
      if (env.containsKey(s.envName())) {
        source = "environment variable " + s.envName();
        value = fromEnv(s, env.get(s.envName()), source);
      } else if (flat.containsKey(s.path())) {
        source = "config file";
        value = checkType(s, flat.getValue(s.path()), source);
      } else {
        source = "default";
        value = s.defaultValue();
      }
      if (!s.check().test(value)) {
        throw new ConfigException("setting '" + s.path() + "' (" + source + ") has invalid value " + render(value)
          + ": expected " + s.rule());
      }
      values.put(s.path(), value instanceof List<?> l ? new JsonArray(new ArrayList<>(l)) : value);
    }
    return new NodeConfig(values);
  }

  /** The config with every setting at its default. */
  public static NodeConfig defaults() {
    return load(new JsonObject(), Map.of());
  }

  /** This config with some settings replaced (dotted paths), validated again. */
  public NodeConfig with(Map<String, Object> overrides) {
    JsonObject flat = values.copy();
    overrides.forEach(flat::put);
    return load(nest(flat), Map.of());
  }

  public String string(Setting s) {
    return values.getString(s.path());
  }

  public int integer(Setting s) {
    return values.getInteger(s.path());
  }

  public boolean bool(Setting s) {
    return values.getBoolean(s.path());
  }

  @SuppressWarnings("unchecked")
  public List<String> list(Setting s) {
    return values.getJsonArray(s.path()).getList();
  }

  /** The values as a nested JSON object, the shape of a config file; {@code load(toJson(), Map.of())} round-trips. */
  public JsonObject toJson() {
    return nest(values);
  }

  private static JsonObject nest(JsonObject flat) {
    JsonObject root = new JsonObject();
    for (String path : flat.fieldNames()) {
      String[] parts = path.split("\\.");
      JsonObject at = root;
      for (int i = 0; i < parts.length - 1; i++) {
        JsonObject next = at.getJsonObject(parts[i]);
        if (next == null) {
          next = new JsonObject();
          at.put(parts[i], next);
        }
        at = next;
      }
      at.put(parts[parts.length - 1], flat.getValue(path));
    }
    return root;
  }

  private static void flatten(String prefix, JsonObject obj, JsonObject out) {
    for (Map.Entry<String, Object> e : obj) {
      String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (e.getValue() instanceof JsonObject child && !Settings.all().containsKey(path)) {
        flatten(path, child, out);
      } else {
        out.put(path, e.getValue());
      }
    }
  }

  private static Object checkType(Setting s, Object v, String source) {
    boolean ok = switch (s.type()) {
      case STRING -> v instanceof String;
      case INT -> v instanceof Integer || v instanceof Long l && l == l.intValue();
      case BOOL -> v instanceof Boolean;
      case STRING_LIST -> v instanceof JsonArray a && a.stream().allMatch(x -> x instanceof String);
    };
    if (!ok) {
      throw new ConfigException("setting '" + s.path() + "' (" + source + ") has invalid value " + render(v)
        + ": expected " + typeName(s.type()));
    }
    return switch (s.type()) {
      case INT -> ((Number) v).intValue();
      case STRING_LIST -> ((JsonArray) v).getList();
      default -> v;
    };
  }

  private static Object fromEnv(Setting s, String raw, String source) {
    String v = raw.trim();
    try {
      return switch (s.type()) {
        case STRING -> raw;
        case INT -> Integer.parseInt(v);
        case BOOL -> {
          if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException();
          }
          yield Boolean.parseBoolean(v);
        }
        case STRING_LIST -> v.isEmpty() ? List.of()
          : List.of(v.split("\\s*,\\s*"));
      };
    } catch (IllegalArgumentException e) {
      throw new ConfigException("setting '" + s.path() + "' (" + source + ") has invalid value \"" + raw
        + "\": expected " + typeName(s.type()));
    }
  }

  private static String typeName(Setting.Type t) {
    return switch (t) {
      case STRING -> "a string";
      case INT -> "an integer";
      case BOOL -> "true or false";
      case STRING_LIST -> "a list of strings (comma-separated in an environment variable)";
    };
  }

  private static String render(Object v) {
    if (v instanceof String s) {
      return "\"" + s + "\"";
    }
    if (v instanceof List<?> l) {
      return new JsonArray(new ArrayList<>(l)).encode();
    }
    return String.valueOf(v);
  }
}
