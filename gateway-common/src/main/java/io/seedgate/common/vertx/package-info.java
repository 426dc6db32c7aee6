/**
 * The only place of gateway-common (and of the node module, which uses it) that touches Vert.x's
 * {@code io.vertx.core.internal} API, which Vert.x does not promise to keep from one release to the next: each class
 * wraps the few internal calls the code needs. {@code VertxAdaptersTest} exercises every one on a real Vert.x
 * instance, so an upgrade that breaks one fails there first; {@code ArchitectureTest} (node) keeps the internal API
 * out of every other package.
 */
package io.seedgate.common.vertx;
