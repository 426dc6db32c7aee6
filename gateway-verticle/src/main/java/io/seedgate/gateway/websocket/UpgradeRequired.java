package io.seedgate.gateway.websocket;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

import java.nio.charset.StandardCharsets;

/**
 * Before the WebSocket handshake: lets a WebSocket upgrade request through and answers anything else, then closes
 * (the port speaks nothing but WebSocket, so there is no keep-alive to keep). A request that is not an upgrade gets
 * {@code 426 Upgrade Required} with {@code Upgrade: websocket} and "WebSocket only"; one that could not be parsed gets
 * 431 (header too large), 414 (request line too long) or 400. Stateless, shared by every connection; removed from the
 * pipeline once the handshake is done.
 */
@ChannelHandler.Sharable
final class UpgradeRequired extends ChannelInboundHandlerAdapter {

  static final UpgradeRequired INSTANCE = new UpgradeRequired();
  private static final byte[] WEBSOCKET_ONLY = "WebSocket only\n".getBytes(StandardCharsets.US_ASCII);

  private UpgradeRequired() {
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (request.decoderResult().isFailure()) {
      Throwable cause = request.decoderResult().cause();
      request.release();
      refuse(ctx, cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
        : cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
        : HttpResponseStatus.BAD_REQUEST, new byte[0]);
    } else if (isWebSocketUpgrade(request)) {
      ctx.fireChannelRead(request);
    } else {
      request.release();
      refuse(ctx, HttpResponseStatus.UPGRADE_REQUIRED, WEBSOCKET_ONLY);
    }
  }

  /** As Vert.x's {@code canUpgradeToWebSocket}: a GET with {@code Connection: upgrade} and {@code Upgrade: websocket}. */
  static boolean isWebSocketUpgrade(FullHttpRequest request) {
    return request.method().equals(HttpMethod.GET)
      && request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
      && request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
  }

  private static void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, byte[] body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
      Unpooled.wrappedBuffer(body));
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
      .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    if (status == HttpResponseStatus.UPGRADE_REQUIRED) {
      response.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
    }
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
