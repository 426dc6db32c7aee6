package io.seedgate.persistence;

import io.seedgate.common.RedisKeys;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The saved state of one player: a row of the {@code players} table.
 *
 * @param id           the player id (primary key)
 * @param mapId        the map the player is on; {@code null} keeps the stored one
 * @param positionX    position on the map, rounded to 2 decimals; {@code null} keeps the stored one
 * @param positionY    see {@code positionX}
 * @param action       the last action (2021 hash field {@code action})
 * @param ping         the last measured round trip in seconds
 * @param ip           the client address
 * @param lastActivity the hash field {@code datetime}
 * @param extra        every other hash field a game service wrote, except {@code token}; also a {@code ping} or
 *                     {@code datetime} value that does not parse, so that nothing written is lost
 * @param readAt       the Redis time at which this state was read; a write never replaces a state read later
 */
public record PlayerState(String id, String mapId, Double positionX, Double positionY, String action, Double ping,
                          String ip, LocalDateTime lastActivity, Map<String, String> extra, OffsetDateTime readAt) {

  public PlayerState {
    extra = extra instanceof ExtraJson ? extra : Collections.unmodifiableMap(extra);
  }

  /**
   * The state held in a player's Redis hash.
   *
   * @param playerId the player id, or {@code null} to take the hash field {@code id}
   * @param mapId    the map whose GEO set the position came from
   * @param hash     the hash fields
   * @param x        the GEO position (longitude), or {@code null} to use a {@code position_x} hash field if any
   * @param y        the GEO position (latitude), likewise
   * @param readAt   the Redis time of the read
   * @return the state, or {@code null} when neither {@code playerId} nor the hash names the player
   */
  public static PlayerState fromHash(String playerId, String mapId, Map<String, String> hash, Double x, Double y,
                                     OffsetDateTime readAt) {
    List<String> flat = new ArrayList<>(hash.size() * 2);
    hash.forEach((k, v) -> {
      flat.add(k);
      flat.add(v);
    });
    return fromFields(playerId, mapId, flat, x, y, readAt);
  }

  /**
   * Like {@link #fromHash}, from the fields as an {@code HGETALL} lists them: name, value, name, value...
   */
  static PlayerState fromFields(String playerId, String mapId, List<String> fields, Double x, Double y,
                                OffsetDateTime readAt) {
    String id = playerId;
    String action = null;
    String ip = null;
    String rawPing = null;
    String rawDatetime = null;
    String rawX = null;
    String rawY = null;
    FieldMap extra = new FieldMap(fields.size() / 2);
    boolean renamed = false;
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      String name = fields.get(i);
      String value = fields.get(i + 1);
      switch (name) {
        case RedisKeys.F_ID -> id = id != null ? id : value;
        case RedisKeys.F_ACTION -> action = value;
        case RedisKeys.F_IP -> ip = value;
        case RedisKeys.F_PING -> rawPing = value;
        case RedisKeys.F_DATETIME -> rawDatetime = value;
        case RedisKeys.F_POSITION_X -> rawX = value;
        case RedisKeys.F_POSITION_Y -> rawY = value;
        case RedisKeys.F_MAP_ID, RedisKeys.F_TOKEN -> {
          // the map is given; the token is never saved
        }
        default -> {
          // names in one hash are unique, unless removing NULs makes two alike: from the first such name on, check
          renamed |= name.indexOf('\0') >= 0;
          if (renamed) {
            extra.set(clean(name), clean(value));
          } else {
            extra.append(name, clean(value));
          }
        }
      }
    }
    id = clean(id);
    if (id == null || id.isEmpty()) {
      return null; // also an id of NULs only: no row can be keyed by it
    }
    Double ping = null;
    if (rawPing != null) {
      ping = parseDouble(rawPing);
      if (ping == null) {
        extra.set(RedisKeys.F_PING, clean(rawPing));
      }
    }
    LocalDateTime lastActivity = null;
    if (rawDatetime != null) {
      lastActivity = parseDatetime(rawDatetime);
      if (lastActivity == null) {
        extra.set(RedisKeys.F_DATETIME, clean(rawDatetime));
      }
    }
    Double px = x != null ? x : round2(parseDouble(rawX));
    Double py = y != null ? y : round2(parseDouble(rawY));
    return new PlayerState(id, clean(mapId), px, py, clean(action), ping, clean(ip), lastActivity, extra,
      readAt);
  }

  /**
   * The saved fields as strings, ready to be written into a new player hash: {@code position_x},
   * {@code position_y}, {@code action}, {@code ping} (those that are set) and every field of {@link #extra}.
   */
  public Map<String, String> toHashFields() {
    Map<String, String> fields = new LinkedHashMap<>();
    if (positionX != null) {
      fields.put(RedisKeys.F_POSITION_X, formatNumber(positionX));
    }
    if (positionY != null) {
      fields.put(RedisKeys.F_POSITION_Y, formatNumber(positionY));
    }
    if (action != null) {
      fields.put(RedisKeys.F_ACTION, action);
    }
    if (ping != null) {
      fields.put(RedisKeys.F_PING, formatNumber(ping));
    }
    fields.putAll(extra);
    return fields;
  }

  /** Rounds to 2 decimals, as the 2021 server stored positions. */
  static Double round2(Double v) {
    return v == null ? null : Math.round(v * 100.0) / 100.0;
  }

  /** A number the way a game service would have written it: {@code 2} rather than {@code 2.0}. */
  static String formatNumber(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.toString(v);
    }
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  static Double parseDouble(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Parses {@code yyyy-MM-dd HH:mm:ss} (PHP {@code Y-m-d H:i:s}); {@code null} when it is anything else. */
  static LocalDateTime parseDatetime(String s) {
    if (s.length() != 19 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != ' ' || s.charAt(13) != ':'
      || s.charAt(16) != ':') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 7);
    int day = digits(s, 8, 10);
    int hour = digits(s, 11, 13);
    int minute = digits(s, 14, 16);
    int second = digits(s, 17, 19);
    if ((year | month | day | hour | minute | second) < 0) {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second);
    } catch (DateTimeException e) {
      return null;
    }
  }

  private static int digits(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** PostgreSQL text and jsonb cannot hold NUL; one such character must not make a whole batch fail. */
  static String clean(String s) {
    return s == null || s.indexOf('\0') < 0 ? s : s.replace("\0", "");
  }
}
