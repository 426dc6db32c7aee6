package io.seedgate.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A node the bench starts runs with the JVM options every launcher ships (deploy/jvm.options, in the node's jar). */
class ShippedJvmOptionsTest {

  @Test
  void readsTheShippedFileFromTheClassPath() throws Exception {
    List<String> options = NodeTarget.shippedJvmOptions();
    assertTrue(options.contains("-XX:+UseG1GC"), options.toString());
    assertTrue(options.stream().allMatch(o -> o.startsWith("-")), "no comment or blank taken for an option: " + options);
  }

  @Test
  void oneOptionPerWordCommentsAndBlankLinesLeftOut() {
    assertEquals(List.of("-Xms32m", "-Da=b", "-XX:+X"),
      NodeTarget.parseJvmOptions("# heap\n-Xms32m\n\n  # more\n-Da=b   -XX:+X\r\n"));
  }
}
