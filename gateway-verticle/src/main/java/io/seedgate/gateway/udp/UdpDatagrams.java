package io.seedgate.gateway.udp;

import io.seedgate.gateway.session.ClientMessage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * How a client datagram is read, before any session or socket is involved: its message is the datagram without one
 * trailing {@value UdpTransport#SUFFIX} (2021 clients send it, newer ones need not), and a datagram from an unknown
 * address may open a session only when its message is a JSON object with a non-empty string {@code token}.
 */
final class UdpDatagrams {

  private UdpDatagrams() {
  }

  /** The message of a datagram: the datagram without one trailing {@value UdpTransport#SUFFIX}, if it has one. */
  static Buffer message(Buffer datagram) {
    int n = datagram.length();
    int k = UdpTransport.SUFFIX.length();
    for (int i = 1; i <= k; i++) {
      if (n < k || datagram.getByte(n - i) != UdpTransport.SUFFIX.charAt(k - i)) {
        return datagram;
      }
    }
    return datagram.slice(0, n - k);
  }

  /**
   * Whether the message is a JSON object with a non-empty string {@code token}, or a resume's {@code resume} (a new
   * address of a resumable session); never throws.
   */
  static boolean carriesToken(Buffer message) {
    if (!ClientMessage.mayBeUtf8Json(message)) {
      return false;
    }
    try {
      JsonObject json = new JsonObject(message);
      return json.getValue("token") instanceof String t && !t.isEmpty()
        || json.getValue("resume") instanceof String r && !r.isEmpty();
    } catch (RuntimeException e) {
      return false;
    }
  }
}
