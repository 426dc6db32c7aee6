package io.seedgate.node.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /status}: a page of plain HTML, CSS and JavaScript from the jar's {@code ops/} resources (no build
 * step), with its charting library, uPlot, from {@code ops/vendor/} (no CDN). The page itself holds no data: its
 * script polls {@code /admin/nodes} every 2 s and {@code /admin/history} every 5 s with the admin token the
 * operator enters (or passes once as {@code ?token=}), kept in the tab's sessionStorage.
 */
final class StatusPage {

  private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    + " frame-ancestors 'none'";
  private static final String CSS = "text/css; charset=utf-8";
  private static final String JS = "text/javascript; charset=utf-8";
  /** Served path, resource and type. */
  private static final String[][] FILES = {
    {"/status", "ops/status.html", "text/html; charset=utf-8"},
    {"/status.css", "ops/status.css", CSS},
    {"/status.js", "ops/status.js", JS},
    {"/status-charts.js", "ops/status-charts.js", JS},
    {"/vendor/uPlot.iife.min.js", "ops/vendor/uPlot.iife.min.js", JS},
    {"/vendor/uPlot.min.css", "ops/vendor/uPlot.min.css", CSS},
    {"/vendor/uPlot.LICENSE", "ops/vendor/uPlot.LICENSE", "text/plain; charset=utf-8"}};

  private final Map<String, Buffer> bodies = new LinkedHashMap<>();

  /** Reads the resources (off the event loop). */
  Future<Void> load(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      for (String[] file : FILES) {
        bodies.put(file[0], resource(file[1]));
      }
      return null;
    });
  }

  void mount(Router router) {
    for (String[] file : FILES) {
      router.get(file[0]).handler(ctx -> serve(ctx, bodies.get(file[0]), file[2]));
    }
  }

  private static void serve(RoutingContext ctx, Buffer body, String type) {
    ctx.response()
      .putHeader(HttpHeaders.CONTENT_TYPE, type)
      .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
      .putHeader("Content-Security-Policy", CSP)
      .putHeader("X-Content-Type-Options", "nosniff")
      .putHeader("Referrer-Policy", "no-referrer")
      .end(body);
  }

  private static Buffer resource(String name) {
    try (InputStream in = StatusPage.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " missing from the jar");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
