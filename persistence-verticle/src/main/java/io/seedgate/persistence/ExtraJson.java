package io.seedgate.persistence;

import io.vertx.core.json.JsonObject;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The extra fields of a player held as the JSON object text they are saved as (string values, in the order Redis
 * listed them), as {@link HashDecoder} writes it straight from the reply bytes, and their hash. The text is built
 * only when first asked for ({@link #json()}): a flush writes a player whose extra fields are stored already without
 * them, and never builds it. The map is parsed from the text the first time it is read as one. Read-only.
 */
final class ExtraJson extends AbstractMap<String, String> {

  private final Supplier<String> text;
  private final long hash;
  private String json;
  private Map<String, String> fields;

  /**
   * @param json builds the JSON object (whose values are all strings) when first asked for
   * @param hash {@link PgPlayerStore#extraHash} of its fields
   */
  ExtraJson(Supplier<String> json, long hash) {
    this.text = json;
    this.hash = hash;
  }

  /** The JSON object text, built on first call. */
  String json() {
    if (json == null) {
      json = text.get();
    }
    return json;
  }

  /** {@link PgPlayerStore#extraHash} of the fields, as given when decoded. */
  long hash() {
    return hash;
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    if (fields == null) {
      Map<String, String> parsed = new LinkedHashMap<>();
      new JsonObject(json()).forEach(e -> parsed.put(e.getKey(), String.valueOf(e.getValue())));
      fields = Collections.unmodifiableMap(parsed);
    }
    return fields.entrySet();
  }
}
