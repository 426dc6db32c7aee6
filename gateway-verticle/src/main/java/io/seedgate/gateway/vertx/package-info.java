/**
 * The only place of the gateway that touches Vert.x's {@code io.vertx.core.internal} API (which Vert.x does not
 * promise to keep): the gateway instance's context as Netty pipelines need it ({@link
 * io.seedgate.gateway.vertx.InstanceContext}) and Vert.x's transport for the sockets served by Netty directly
 * ({@link io.seedgate.gateway.vertx.NettyTransport}). Buffers go through gateway-common's
 * {@code io.seedgate.common.vertx.Buffers}. {@code VertxAdaptersTest} exercises every wrapped call on a real Vert.x
 * instance, so an upgrade that breaks one fails there first.
 */
package io.seedgate.gateway.vertx;
