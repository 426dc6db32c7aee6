package io.seedgate.node;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/jvm.options is what every launcher runs the node with (issue 21): the image, the systemd unit, the local
 * cluster and, through the copy in the jar, the nodes the bench starts. None of them sets a GC, a minimum heap or
 * Netty's allocator of its own, and this JVM accepts the file as it is.
 */
class JvmOptionsTest {

  private static final Path DEPLOY = Path.of("..", "deploy");
  private static final Path OPTIONS = DEPLOY.resolve("jvm.options");

  @Test
  void everyLauncherRunsTheJvmWithTheShippedOptions() throws Exception {
    String docker = Files.readString(DEPLOY.resolve("docker/Dockerfile"));
    assertTrue(docker.contains("COPY deploy/jvm.options jvm.options"), "the image holds the file, outside conf/");
    assertTrue(docker.contains("exec java @jvm.options $JAVA_OPTS "), "the image's entry point uses it");
    assertTrue(Files.readString(Path.of("..", ".dockerignore")).contains("!deploy/jvm.options"),
      "the file is in the build context");
    assertTrue(Files.readString(DEPLOY.resolve("systemd/seed-gateway.service"))
      .contains("ExecStart=/usr/bin/java @/opt/seed-gateway/jvm.options "), "the systemd unit uses it");
    assertTrue(Files.readString(DEPLOY.resolve("local-cluster.sh")).contains("nohup java @deploy/jvm.options "),
      "the local cluster uses it");
    for (Path launcher : List.of(DEPLOY.resolve("docker/Dockerfile"), DEPLOY.resolve("systemd/seed-gateway.service"),
      DEPLOY.resolve("kubernetes/seed-gateway.yaml"), DEPLOY.resolve("local-cluster.sh"))) {
      String text = Files.readString(launcher);
      for (String own : List.of("-Xms\\d", "-XX:[+]Use\\w+GC", "-Dio[.]netty[.]allocator", "HeapFreeRatio",
        "TrimNativeHeapInterval")) {
        assertFalse(java.util.regex.Pattern.compile(own).matcher(text).find(),
          launcher + " sets " + own + " of its own: it belongs in deploy/jvm.options");
      }
    }
  }

  @Test
  void theJarCarriesTheSameFile() throws Exception {
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/seed-gateway/jvm.options")) {
      assertNotNull(in, "META-INF/seed-gateway/jvm.options in the jar (node/pom.xml's resources)");
      assertEquals(Files.readString(OPTIONS), new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void thisJvmAcceptsTheFile() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(java, "@" + OPTIONS.toAbsolutePath(), "-version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    for (String line : Files.readAllLines(OPTIONS)) {
      String t = line.trim();
      assertTrue(t.isEmpty() || t.startsWith("#") || !t.contains(" #"), "whole-line comments only: " + line);
    }
  }
}
