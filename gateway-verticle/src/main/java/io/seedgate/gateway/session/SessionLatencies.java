package io.seedgate.gateway.session;

import java.util.function.LongConsumer;

/**
 * Where the latencies a session measures go, in nanoseconds: a login (from the token to the session being active)
 * and a routed action (from the parsed message to the action being taken). Until a recorder is set they are
 * dropped. The recorders are set once, at the start; the latencies come from the instance's event loop.
 */
final class SessionLatencies {

  private static final LongConsumer DROP = nanos -> { };

  private LongConsumer loggedIn = DROP;
  private LongConsumer routed = DROP;

  void onLoggedIn(LongConsumer recorder) {
    this.loggedIn = recorder == null ? DROP : recorder;
  }

  void onRouted(LongConsumer recorder) {
    this.routed = recorder == null ? DROP : recorder;
  }

  void loggedIn(long nanos) {
    loggedIn.accept(nanos);
  }

  void routed(long nanos) {
    routed.accept(nanos);
  }
}
