package io.seedgate.gateway.session;

import io.seedgate.common.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The end of a gateway instance's sessions, at a stop or a drain: every session is sent the error and closed, and so
 * is every connection opened from then on; done once every end was recorded, those of sessions that had closed
 * before included. The first error given stays. Used on the instance's event loop.
 */
final class SessionShutdown {

  /** What a drained node sends its clients: go and connect to another node. */
  private static final OutboundMessage RECONNECT = OutboundMessage.ofText(new JsonObject()
    .put("error", ErrorCode.SERVER_STOPPED.text()).put("reconnect", true).encode());

  private final SessionIndex index;
  private final SessionEnds ends;
  private final ErrorMessages errors;
  private ErrorCode code;
  private OutboundMessage message;

  SessionShutdown(SessionIndex index, SessionEnds ends, ErrorMessages errors) {
    this.index = index;
    this.ends = ends;
    this.errors = errors;
  }

  /** Closes every session with the error. */
  Future<Void> closeAll(ErrorCode code) {
    return closeAll(code, errors.of(code), false);
  }

  /**
   * Closes every session with {@code {"error":"server stopped","reconnect":true}}: connect to another node. A
   * resumable session is detached instead ({@link Session#drain}): done once each was resumed (elsewhere, with a
   * handover) or its window passed; a stop after it ends them at once.
   */
  Future<Void> drain() {
    return closeAll(ErrorCode.SERVER_STOPPED, RECONNECT, true);
  }

  /** Whether the sessions are being closed: a new one is refused ({@link #refuse}). */
  boolean stopping() {
    return code != null;
  }

  /** Sends a session opened during the stop the stop's error, and closes it. */
  void refuse(Session s) {
    s.fail(code, message);
  }

  private Future<Void> closeAll(ErrorCode code, OutboundMessage message, boolean drain) {
    if (this.code == null) {
      this.code = code;
      this.message = message;
      ends.stopRetrying();
    }
    List<Future<Void>> all = ends.inFlight();
    for (Session s : index.all()) {
      all.add(s.ended());
      if (drain) {
        s.drain(this.code, this.message);
      } else {
        s.fail(this.code, this.message);
      }
    }
    return Future.join(all).mapEmpty();
  }
}
