package io.seedgate.gateway.routing;

import io.seedgate.gateway.Fuzz;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link Action#parse} on any action string: never throws, and agrees with the documented rule: split at the first
 * '/', an empty part defaults to {@code api} / {@code index}, each part letters, digits, '_' and '-', at most 64.
 */
class ActionFuzzTest {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  @Property
  void parsesExactlyTheDocumentedActions(@ForAll("actions") String raw) {
    Action parsed = Fuzz.bounded(() -> Action.parse(raw));
    int slash = raw.indexOf('/');
    String model = slash < 0 ? raw : raw.substring(0, slash);
    String method = slash < 0 ? "" : raw.substring(slash + 1);
    model = model.isEmpty() ? "api" : model;
    method = method.isEmpty() ? "index" : method;
    if (NAME.matcher(model).matches() && NAME.matcher(method).matches()) {
      assertEquals(new Action(model, method), parsed);
    } else {
      assertNull(parsed, "refused: " + raw);
    }
  }

  @Provide
  Arbitrary<String> actions() {
    return Arbitraries.oneOf(
      Arbitraries.strings().withChars("azAZ09_-/ .\u00e9\u0000").ofMaxLength(140),
      Arbitraries.strings().all().ofMaxLength(80),
      Arbitraries.strings().withChars("ab/").ofMaxLength(6),
      Arbitraries.integers().between(60, 70).map(n -> "m".repeat(n) + "/" + "x".repeat(130 - n)));
  }
}
