package io.seedgate.common.config;

import io.seedgate.common.redis.RedisTopology;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A node's validated configuration: every {@link Settings setting} with its value from the environment, the
 * config file or its default, in that order of precedence. {@link #get(Setting)} returns the setting's own type.
 *
 * <p>Reading is strict: an unknown setting (in the file, or a {@code SEED_*} variable) and a value of the wrong
 * type or out of range are refused with a {@link ConfigException} that names every such setting, where its value
 * came from, the value and what was expected.
 *
 * <p>Two ways in, with the same rules: {@link #load(JsonObject, Map)} at once, or through vertx-config
 * ({@link ConfigSources}: the file store and the {@code SEED_*} variables store, then {@link #from(JsonObject)}).
 */
public final class NodeConfig {

  static final String ENV_PREFIX = "SEED_";

  /** Values by path, each of its setting's type (immutable), in {@link Settings#all()} order. */
  private final Map<String, Object> values;

  private NodeConfig(Map<String, Object> values) {
    this.values = values;
  }

  /**
   * Validates a config file's content and the environment.
   *
   * @param file the JSON config (nested objects, as in {@code conf/dev.json}); may be empty or {@code null}
   * @param env  the environment, usually {@link System#getenv()}
   * @throws ConfigException naming every unknown or invalid setting
   */
  public static NodeConfig load(JsonObject file, Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    JsonObject fromEnv = environment(env, problems);
    JsonObject merged = (file == null ? new JsonObject() : file.copy()).mergeIn(fromEnv, true);
    NodeConfig config = validate(merged, problems);
    throwIf(problems);
    return config;
  }

  /**
   * Validates a merged config: the file's settings with the environment's already over them, as
   * {@link ConfigSources} delivers it. Anything unknown in it is reported as being in the config file.
   *
   * @throws ConfigException naming every unknown or invalid setting
   */
  public static NodeConfig from(JsonObject merged) {
    List<String> problems = new ArrayList<>();
    NodeConfig config = validate(merged == null ? new JsonObject() : merged, problems);
    throwIf(problems);
    return config;
  }

  /**
   * The {@code SEED_*} variables of an environment as a config object (nested, as in a file), each parsed as its
   * setting's type and checked; other variables are ignored.
   *
   * @throws ConfigException naming every unknown {@code SEED_*} variable and every bad value
   */
  public static JsonObject environment(Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    JsonObject json = environment(env, problems);
    throwIf(problems);
    return json;
  }

  /** The config with every setting at its default. */
  public static NodeConfig defaults() {
    return load(new JsonObject(), Map.of());
  }

  /** This config with some settings replaced (dotted paths to JSON values), validated again. */
  public NodeConfig with(Map<String, Object> overrides) {
    JsonObject flat = flatJson();
    overrides.forEach(flat::put);
    return load(nest(flat), Map.of());
  }

  /** This config with the given settings at their values in the other, validated again. */
  public NodeConfig with(NodeConfig other, Collection<Setting<?>> settings) {
    JsonObject flat = flatJson();
    settings.forEach(s -> flat.put(s.path(), other.jsonOf(s)));
    return load(nest(flat), Map.of());
  }

  /** The value of a setting. */
  @SuppressWarnings("unchecked") // validate() stored, under the setting's path, a value its own type produced
  public <T> T get(Setting<T> setting) {
    Object value = values.get(setting.path());
    if (value == null) {
      throw new IllegalArgumentException("not a setting of Settings: " + setting.path());
    }
    return (T) value;
  }

  /**
   * The node's Redis, from {@code redis.mode}, {@code redis.url}, {@code redis.endpoints} and {@code redis.masterName}.
   *
   * @throws ConfigException when the mode needs {@code redis.endpoints} and none are given
   */
  public RedisTopology redis() {
    try {
      return RedisTopology.of(get(Settings.REDIS_MODE), get(Settings.REDIS_URL), get(Settings.REDIS_ENDPOINTS),
        get(Settings.REDIS_MASTER_NAME));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /** The settings whose values differ between this config and the other, in {@link Settings#all()} order. */
  public List<Setting<?>> differences(NodeConfig other) {
    List<Setting<?>> changed = new ArrayList<>();
    for (Setting<?> s : Settings.all().values()) {
      if (!Objects.equals(values.get(s.path()), other.values.get(s.path()))) {
        changed.add(s);
      }
    }
    return changed;
  }

  /** The values as a nested JSON object, the shape of a config file; {@code load(toJson(), Map.of())} round-trips. */
  public JsonObject toJson() {
    return nest(flatJson());
  }

  private JsonObject flatJson() {
    JsonObject flat = new JsonObject();
    for (Setting<?> s : Settings.all().values()) {
      flat.put(s.path(), jsonOf(s));
    }
    return flat;
  }

  private <T> Object jsonOf(Setting<T> s) {
    return s.toJson(get(s));
  }

  private static NodeConfig validate(JsonObject merged, List<String> problems) {
    Map<String, Setting<?>> all = Settings.all();
    JsonObject flat = new JsonObject();
    flatten("", merged, flat);
    for (String path : flat.fieldNames()) {
      if (!all.containsKey(path)) {
        problems.add("unknown setting '" + path + "' in the config file");
      }
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (Setting<?> s : all.values()) {
      Object value = flat.containsKey(s.path())
        ? valueOf(s, flat.getValue(s.path()), "config file", problems) : s.defaultValue();
      if (value != null) {
        values.put(s.path(), value);
      }
    }
    return new NodeConfig(values);
  }

  /** The setting's value from JSON, or {@code null} (and the problem added) when it is of another type or invalid. */
  private static <T> T valueOf(Setting<T> s, Object json, String source, List<String> problems) {
    T value = s.type().fromJson(json);
    if (value == null) {
      problems.add(invalid(s, source, Setting.render(json), s.type().expected()));
      return null;
    }
    return checked(s, value, source, problems);
  }

  /** The value, or {@code null} (and the problem added, with what the check said was wrong if it said) if invalid. */
  private static <T> T checked(Setting<T> s, T value, String source, List<String> problems) {
    String why = null;
    boolean valid;
    try {
      valid = s.check().test(value);
    } catch (IllegalArgumentException e) {
      valid = false;
      why = e.getMessage();
    }
    if (!valid) {
      problems.add(invalid(s, source, Setting.render(value), s.rule()) + (why == null ? "" : " (" + why + ")"));
      return null;
    }
    return value;
  }

  private static JsonObject environment(Map<String, String> env, List<String> problems) {
    Map<String, Setting<?>> byEnv = new LinkedHashMap<>();
    Settings.all().values().forEach(s -> byEnv.put(s.envName(), s));
    JsonObject flat = new JsonObject();
    env.keySet().stream().filter(name -> name.startsWith(ENV_PREFIX)).sorted().forEach(name -> {
      Setting<?> s = byEnv.get(name);
      if (s == null) {
        problems.add("unknown setting in environment variable " + name);
      } else {
        Object json = fromEnv(s, env.get(name), problems);
        if (json != null) {
          flat.put(s.path(), json);
        }
      }
    });
    return nest(flat);
  }

  /** The variable's value as JSON, or {@code null} (and the problem added) when it is not of the type or invalid. */
  private static <T> Object fromEnv(Setting<T> s, String raw, List<String> problems) {
    String source = "environment variable " + s.envName();
    T value;
    try {
      value = s.type().fromEnv(raw);
    } catch (IllegalArgumentException e) {
      problems.add(invalid(s, source, "\"" + raw + "\"", s.type().expected()));
      return null;
    }
    T ok = checked(s, value, source, problems);
    return ok == null ? null : s.toJson(ok);
  }

  private static String invalid(Setting<?> s, String source, String rendered, String expected) {
    return "setting '" + s.path() + "' (" + source + ") has invalid value " + rendered + ": expected " + expected;
  }

  private static void throwIf(List<String> problems) {
    if (problems.size() == 1) {
      throw new ConfigException(problems.get(0));
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems.size() + " problems: " + String.join("; ", problems));
    }
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
}
