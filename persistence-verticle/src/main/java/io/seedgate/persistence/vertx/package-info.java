/**
 * The only place of persistence that touches Vert.x's {@code io.vertx.core.internal} API (which Vert.x does not
 * promise to keep). {@code VertxAdaptersTest} exercises it on a real Vert.x instance, so an upgrade that breaks it
 * fails there first.
 */
package io.seedgate.persistence.vertx;
