package io.seedgate.persistence;

import io.vertx.core.json.JsonObject;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The extra fields of a player held as the JSON object text they are saved as (string values, in the order Redis
 * listed them), as {@link HashDecoder} writes it straight from the reply bytes. A flush only hands the text to the
 * store ({@link #json()}); the map is parsed from it the first time it is read as one. Read-only.
 */
final class ExtraJson extends AbstractMap<String, String> {

  private final String json;
  private final long hash;
  private Map<String, String> fields;

  /**
   * @param json a JSON object whose values are all strings
   * @param hash {@link PgPlayerStore#extraHash} of its fields
   */
  ExtraJson(String json, long hash) {
    this.json = json;
    this.hash = hash;
  }

  /** The JSON object text. */
  String json() {
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
      new JsonObject(json).forEach(e -> parsed.put(e.getKey(), String.valueOf(e.getValue())));
      fields = Collections.unmodifiableMap(parsed);
    }
    return fields.entrySet();
  }
}
