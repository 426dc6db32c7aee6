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

/**
 * {@code GET /status}: a page of plain HTML, CSS and JavaScript from the jar's {@code ops/} resources (no build
 * step). The page itself holds no data: its script polls {@code /admin/nodes} every 2 s with the admin token the
 * operator enters (or passes once as {@code ?token=}), kept in the tab's sessionStorage.
 */
final class StatusPage {

  private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    + " frame-ancestors 'none'";

  private Buffer html;
  private Buffer css;
  private Buffer js;

  /** Reads the resources (off the event loop). */
  Future<Void> load(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      html = resource("ops/status.html");
      css = resource("ops/status.css");
      js = resource("ops/status.js");
      return null;
    });
  }

  void mount(Router router) {
    router.get("/status").handler(ctx -> serve(ctx, html, "text/html; charset=utf-8"));
    router.get("/status.css").handler(ctx -> serve(ctx, css, "text/css; charset=utf-8"));
    router.get("/status.js").handler(ctx -> serve(ctx, js, "text/javascript; charset=utf-8"));
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
