package io.seedgate.gateway;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the fuzz tests share: client input generators (arbitrary text and bytes, JSON-like text, JSON with invalid
 * UTF-8, deep nesting, mutations of valid messages) and a time bound per try, so that a hang fails the property
 * instead of the build.
 */
public final class Fuzz {

  /** Longest a single try may take; generous, the machine is shared. */
  public static final Duration TRY_LIMIT = Duration.ofSeconds(5);

  private static ExecutorService worker = newWorker();

  private Fuzz() {
  }

  private static ExecutorService newWorker() {
    return Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fuzz-try");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Runs the task on a worker thread (with an ordinary thread's stack, like an event loop's) and returns its
   * result; what it throws is rethrown as is.
   *
   * @throws AssertionError when the task has not finished within {@link #TRY_LIMIT}
   */
  public static synchronized <T> T bounded(Callable<T> task) {
    Future<T> f = worker.submit(task);
    try {
      return f.get(TRY_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      worker.shutdownNow();
      worker = newWorker();
      throw new AssertionError("no result within " + TRY_LIMIT + ": the input hangs it");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new AssertionError(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Any text a client could send in a text frame: every char, unpaired surrogates included, or JSON-like text. */
  public static Arbitrary<String> clientText() {
    return Arbitraries.frequencyOf(
      Tuple.of(3, Arbitraries.strings().all().ofMaxLength(300)),
      Tuple.of(3, Arbitraries.strings().withChars("{}[]\":,\\ ntrufalse0123456789.-+eE/|").ofMaxLength(200)),
      Tuple.of(6, json(4)),
      Tuple.of(4, mutated(json(3))),
      Tuple.of(1, deepNesting()));
  }

  /** Any bytes a client could send in a binary frame, a TCP frame or a datagram. */
  public static Arbitrary<byte[]> clientBytes() {
    return Arbitraries.frequencyOf(
      Tuple.of(3, Arbitraries.bytes().array(byte[].class).ofMaxSize(300)),
      Tuple.of(5, clientText().map(s -> s.getBytes(StandardCharsets.UTF_8))),
      Tuple.of(3, invalidUtf8InJson()));
  }

  /** Like {@link #clientBytes()} without the deep nesting: small messages, for streams of many of them. */
  public static Arbitrary<byte[]> smallClientBytes() {
    return Arbitraries.frequencyOf(
      Tuple.of(3, Arbitraries.bytes().array(byte[].class).ofMaxSize(100)),
      Tuple.of(3, json(2).map(s -> s.getBytes(StandardCharsets.UTF_8))),
      Tuple.of(1, invalidUtf8InJson()));
  }

  /** A JSON message whose string values hold byte sequences that are not UTF-8 (lone continuation bytes, overlongs). */
  public static Arbitrary<byte[]> invalidUtf8InJson() {
    Arbitrary<byte[]> bad = Arbitraries.of(
      new byte[] {(byte) 0x80}, new byte[] {(byte) 0xC0, (byte) 0xAF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
      new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0xFF},
      new byte[] {(byte) 0xE2, (byte) 0x82}, new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80});
    return Combinators.combine(Arbitraries.of("token", "action", "k", "pingTime"), bad,
        Arbitraries.bytes().array(byte[].class).ofMaxSize(20), Arbitraries.of(true, false))
      .as((key, b, noise, inKey) -> {
        String head = inKey ? "{\"" : "{\"" + key + "\":\"";
        String tail = inKey ? "\":1,\"action\":\"move/up\"}" : "\",\"action\":\"move/up\"}";
        byte[] h = head.getBytes(StandardCharsets.UTF_8);
        byte[] t = tail.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[h.length + b.length + noise.length + t.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(b, 0, out, h.length, b.length);
        System.arraycopy(noise, 0, out, h.length + b.length, noise.length);
        System.arraycopy(t, 0, out, h.length + b.length + noise.length, t.length);
        return out;
      });
  }

  /** Opening brackets and braces nested up to 100,000 deep, closed or not. */
  public static Arbitrary<String> deepNesting() {
    return Combinators.combine(Arbitraries.integers().between(1, 100_000).shrinkTowards(1),
        Arbitraries.of("[", "{\"a\":", "[{\"action\":"), Arbitraries.of(true, false))
      .as((depth, open, closed) -> {
        StringBuilder b = new StringBuilder(depth * open.length() * 2);
        b.append("{\"action\":\"move/up\",\"x\":");
        b.append(open.repeat(depth)).append('1');
        if (closed) {
          String close = open.equals("[") ? "]" : open.equals("{\"a\":") ? "}" : "}]";
          b.append(close.repeat(depth));
        }
        return b.append('}').toString();
      });
  }

  /** JSON text shaped like client messages: objects with token, action, pingTime and other fields of any type. */
  public static Arbitrary<String> json(int depth) {
    return Arbitraries.frequencyOf(
      Tuple.of(4, object(depth)),
      Tuple.of(1, value(depth)));
  }

  /** Valid JSON values of any type, a few levels deep. */
  public static Arbitrary<String> validJson() {
    Arbitrary<Object> scalar = Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(20).map(s -> (Object) s),
      Arbitraries.integers().map(i -> (Object) i), Arbitraries.doubles().map(d -> (Object) d),
      Arbitraries.of(true, false).map(b -> (Object) b), Arbitraries.just(null));
    Arbitrary<Object> nested = Arbitraries.oneOf(scalar.list().ofMaxSize(4).map(l -> (Object) new JsonArray(l)),
      Arbitraries.maps(Arbitraries.strings().all().ofMaxLength(6), scalar).ofMaxSize(4)
        .map(m -> (Object) new JsonObject(new java.util.LinkedHashMap<>(m))));
    return Arbitraries.oneOf(scalar, nested, nested.list().ofMaxSize(3).map(l -> (Object) new JsonArray(l)))
      .map(Json::encode);
  }

  private static Arbitrary<String> object(int depth) {
    Arbitrary<String> key = Arbitraries.frequencyOf(
      Tuple.of(3, Arbitraries.of("token", "action", "pingTime", "map", "data")),
      Tuple.of(1, Arbitraries.strings().all().ofMaxLength(8)));
    Arbitrary<String> action = Arbitraries.frequencyOf(
      Tuple.of(3, Arbitraries.of("move/up", "api/load", "api", "/", "", "move/", "/up", "a/b/c",
        "move/up ", "x".repeat(65) + "/y", "mo ve/up", "api/\u0000")),
      Tuple.of(1, Arbitraries.strings().withChars("abz_-/09AZ.\u00e9 ").ofMaxLength(70)));
    Arbitrary<String> entry = Combinators.combine(key, action, value(depth - 1), Arbitraries.integers().between(0, 3))
      .as((k, a, v, pick) -> quote(k) + ":" + (k.equals("action") && pick > 0 ? quote(a) : v));
    return entry.list().ofMaxSize(6).map(l -> "{" + String.join(",", l) + "}");
  }

  private static Arbitrary<String> value(int depth) {
    Arbitrary<String> scalar = Arbitraries.oneOf(
      Arbitraries.of("null", "true", "false", "0", "-0", "1e400", "-1e-400", "0.23", "12345678901234567890123",
        "\"\"", "NaN", "Infinity", "01", "1.", ".5"),
      Arbitraries.strings().all().ofMaxLength(20).map(Fuzz::quote),
      Arbitraries.integers().map(String::valueOf),
      Arbitraries.doubles().map(String::valueOf),
      Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(1200));
    if (depth <= 0) {
      return scalar;
    }
    Arbitrary<String> array = Arbitraries.lazy(() -> value(depth - 1)).list().ofMaxSize(4)
      .map(l -> "[" + String.join(",", l) + "]");
    return Arbitraries.frequencyOf(
      Tuple.of(4, scalar),
      Tuple.of(1, array),
      Tuple.of(1, Arbitraries.lazy(() -> object(depth - 1))));
  }

  /** The text with a few random edits: characters deleted, inserted or replaced, or the end cut off. */
  public static Arbitrary<String> mutated(Arbitrary<String> texts) {
    Arbitrary<Character> noise = Arbitraries.oneOf(Arbitraries.of('{', '}', '[', ']', '"', ':', ',', '\\', '\u0000',
      '\ud800', '\udc00', '\u2028'), Arbitraries.chars());
    return Combinators.combine(texts, Arbitraries.integers().between(0, 1000).list().ofMinSize(1).ofMaxSize(3),
        noise.list().ofSize(3), Arbitraries.integers().between(0, 3))
      .as((text, positions, chars, how) -> {
        StringBuilder b = new StringBuilder(text);
        for (int i = 0; i < positions.size(); i++) {
          if (b.length() == 0) {
            b.append(chars.get(i));
            continue;
          }
          int at = positions.get(i) % b.length();
          switch (how) {
            case 0 -> b.deleteCharAt(at);
            case 1 -> b.insert(at, chars.get(i));
            case 2 -> b.setCharAt(at, chars.get(i));
            default -> b.setLength(at);
          }
        }
        return b.toString();
      });
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  /** Splits the bytes into consecutive chunks at the given cut points (taken modulo the length). */
  public static List<byte[]> chunks(byte[] bytes, List<Integer> cuts) {
    int[] at = cuts.stream().mapToInt(c -> bytes.length == 0 ? 0 : Math.floorMod(c, bytes.length + 1)).sorted()
      .distinct().toArray();
    java.util.ArrayList<byte[]> out = new java.util.ArrayList<>();
    int from = 0;
    for (int cut : at) {
      if (cut > from) {
        out.add(java.util.Arrays.copyOfRange(bytes, from, cut));
        from = cut;
      }
    }
    if (from < bytes.length || out.isEmpty()) {
      out.add(java.util.Arrays.copyOfRange(bytes, from, bytes.length));
    }
    return out;
  }
}
