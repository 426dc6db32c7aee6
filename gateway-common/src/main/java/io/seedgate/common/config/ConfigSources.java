package io.seedgate.common.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where a node's config comes from, read through vertx-config: a {@link ConfigRetriever} with two stores, merged in
 * this order, the later winning:
 * <ol>
 *   <li>the {@code -conf} JSON file (vertx-config's {@code file} store, read asynchronously), or, when the node has
 *   no file (a deployment config given in code, or {@code -conf '{...}'}), that JSON ({@code json} store);</li>
 *   <li>the {@code SEED_*} environment variables ({@link EnvironmentStore}).</li>
 * </ol>
 * {@link #validate} (which {@link #read} applies) checks what the retriever delivers with {@link NodeConfig#from}:
 * the same strictness as {@link NodeConfig#load}.
 *
 * <p>The file store delivers the file's text ({@code raw} format) and {@link #validate} parses it: a file that is not
 * JSON (half-written, say) is then a {@link ConfigException} like any other bad config, reported once per content
 * by a listener, instead of a failed read that vertx-config logs, with its stack trace, at every scan.
 *
 * <p>With a scan period, the retriever reads the sources again that often (on the context that created it) and
 * tells its listeners when what it read changed; the listener validates it ({@link #validate}).
 */
public final class ConfigSources {

  /** Where the file's text is in what the retriever delivers; no setting's path begins with '-'. */
  static final String FILE_TEXT = "-conf";

  private ConfigSources() {
  }

  /**
   * A retriever of the file (or the inline JSON when {@code file} is {@code null}) and the environment.
   *
   * @param file         the config file, or {@code null}
   * @param inline       the config when there is no file
   * @param env          the environment whose {@code SEED_*} variables override the file
   * @param scanPeriodMs how often to read the sources again; 0 or less never
   */
  public static ConfigRetriever retriever(Vertx vertx, Path file, JsonObject inline, Map<String, String> env,
                                          long scanPeriodMs) {
    ConfigStoreOptions base = file != null
      ? new ConfigStoreOptions().setType("file").setFormat("raw")
        .setConfig(new JsonObject().put("path", file.toString()).put("raw.key", FILE_TEXT))
      : new ConfigStoreOptions().setType("json").setConfig(inline == null ? new JsonObject() : inline.copy());
    JsonObject variables = new JsonObject();
    env.forEach((name, value) -> {
      if (name.startsWith(NodeConfig.ENV_PREFIX)) {
        variables.put(name, value);
      }
    });
    ConfigStoreOptions environment = new ConfigStoreOptions().setType(EnvironmentStore.TYPE)
      .setConfig(new JsonObject().put("variables", variables));
    return ConfigRetriever.create(vertx, new ConfigRetrieverOptions()
      .setIncludeDefaultStores(false)
      .setScanPeriod(Math.max(0, scanPeriodMs))
      .addStore(base)
      .addStore(environment));
  }

  /**
   * Reads the sources once and validates them.
   *
   * @return the config; failed with a {@link ConfigException} naming every unknown setting and bad value, or with
   *         the file's read or parse error
   */
  public static Future<NodeConfig> read(ConfigRetriever retriever) {
    return retriever.getConfig().map(ConfigSources::validate);
  }

  /**
   * The config in what a retriever made here delivered: the file's text parsed, the environment's settings over it,
   * validated by {@link NodeConfig#from}.
   *
   * @throws ConfigException when the file is not a JSON object, or naming every unknown setting and bad value
   */
  public static NodeConfig validate(JsonObject retrieved) {
    JsonObject rest = retrieved.copy();
    Object text = rest.remove(FILE_TEXT);
    if (text == null) {
      return NodeConfig.from(rest);
    }
    JsonObject file;
    try {
      file = new JsonObject(String.valueOf(text));
    } catch (RuntimeException e) {
      throw new ConfigException("the config file is not a JSON object: " + e.getMessage());
    }
    return NodeConfig.from(file.mergeIn(rest, true));
  }
}
