package io.seedgate.persistence;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The few extra fields of one player hash, in the order Redis listed them: names and values side by side in one
 * array. A flush builds one per changed player and reads it once (into JSON), so it spares the hashing and the
 * entry objects of a {@code HashMap}; lookups scan, which is fine for a dozen fields. Names are unique ({@link #set}
 * replaces; {@link #append} is for names known to be new, as those of one {@code HGETALL} reply are). Read-only once
 * built.
 */
final class FieldMap extends AbstractMap<String, String> {

  private String[] pairs;
  private int size;

  FieldMap(int expected) {
    pairs = new String[Math.max(2, expected * 2)];
  }

  /** Adds a field, or replaces the value of one with that name. */
  void set(String name, String value) {
    int at = indexOf(name);
    if (at >= 0) {
      pairs[at + 1] = value;
    } else {
      append(name, value);
    }
  }

  /** Adds a field whose name is not in the map yet (unchecked: the caller knows). */
  void append(String name, String value) {
    if (size * 2 == pairs.length) {
      pairs = Arrays.copyOf(pairs, pairs.length * 2);
    }
    pairs[size * 2] = name;
    pairs[size * 2 + 1] = value;
    size++;
  }

  private int indexOf(Object name) {
    for (int i = 0; i < size * 2; i += 2) {
      if (pairs[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean containsKey(Object name) {
    return indexOf(name) >= 0;
  }

  @Override
  public String get(Object name) {
    int at = indexOf(name);
    return at < 0 ? null : pairs[at + 1];
  }

  @Override
  public void forEach(BiConsumer<? super String, ? super String> action) {
    for (int i = 0; i < size * 2; i += 2) {
      action.accept(pairs[i], pairs[i + 1]);
    }
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, String>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < size;
          }

          @Override
          public Entry<String, String> next() {
            if (next >= size) {
              throw new NoSuchElementException();
            }
            int i = 2 * next++;
            return new SimpleImmutableEntry<>(pairs[i], pairs[i + 1]);
          }
        };
      }

      @Override
      public int size() {
        return size;
      }
    };
  }
}
