package io.seedgate.common.embedded;

/**
 * Starts local Redis and PostgreSQL servers for the dev profile's fallback and for tests: the service that
 * {@link BackingServices} looks up with {@link java.util.ServiceLoader}. Its one implementation lives in the
 * {@code dev-services} module (embedded server binaries), which is on the test class path and in the dev jar
 * ({@code node-dev/target/seed-gateway-dev.jar}) but never in the production jar or image.
 *
 * <p>Each method is called at most once per JVM and blocks until the server answers; the implementation stops
 * the server at exit, after the node's roles have stopped.
 */
public interface EmbeddedServers {

  /** Starts a Redis on 127.0.0.1 at the port given and returns its {@code redis://} URL. */
  String startRedis(int port) throws Exception;

  /** Starts a PostgreSQL on 127.0.0.1 at the port given and returns its {@code postgresql://} URL. */
  String startPostgres(int port) throws Exception;
}
