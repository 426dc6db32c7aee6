package io.seedgate.node;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import static io.seedgate.testsupport.Await.await;

/** A blocking HTTP client for a node's operations port, for tests. */
final class OpsHttp implements AutoCloseable {

  record Reply(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final HttpClient client;
  private final int port;
  private final String token;

  OpsHttp(Vertx vertx, int port, String token) {
    // a connection per request: no request waits on a pooled connection the node has just closed
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    this.port = port;
    this.token = token;
  }

  Reply get(String uri) {
    return request(HttpMethod.GET, uri, null, token);
  }

  Reply post(String uri, JsonObject body) {
    return request(HttpMethod.POST, uri, body, token);
  }

  /** A request with the given bearer token ({@code null}: no Authorization header). */
  Reply request(HttpMethod method, String uri, JsonObject body, String bearer) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri);
    if (bearer != null) {
      options.putHeader("Authorization", "Bearer " + bearer);
    }
    return await(client.request(options).compose(req -> {
      if (body != null) {
        req.putHeader("Content-Type", "application/json");
        return req.send(body.toBuffer());
      }
      return req.send();
    }).compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b.toString()))));
  }

  @Override
  public void close() {
    client.close();
  }
}
