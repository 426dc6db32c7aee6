package io.seedgate.node;

import io.vertx.core.json.JsonObject;

/** What the test clients of every transport share: reading the messages the node sent, from the test thread. */
interface ReceivingClient {

  long WAIT_MS = 5_000;

  /** The next message's text, or {@code null} when none arrives in time. */
  String nextText(long timeoutMs);

  /** The next message, within 5 s. */
  default JsonObject next() {
    String text = nextText(WAIT_MS);
    if (text == null) {
      throw new AssertionError("no message within 5 s");
    }
    return new JsonObject(text);
  }

  /** The next message whose text contains the fragment, skipping others, within 5 s. */
  default JsonObject nextContaining(String fragment) {
    long deadline = System.currentTimeMillis() + WAIT_MS;
    while (System.currentTimeMillis() < deadline) {
      String text = nextText(deadline - System.currentTimeMillis());
      if (text != null && text.contains(fragment)) {
        return new JsonObject(text);
      }
    }
    throw new AssertionError("no message containing " + fragment + " within 5 s");
  }

  /** Asserts nothing arrives within the time. */
  default void expectNothing(long ms) {
    String text = nextText(ms);
    if (text != null) {
      throw new AssertionError("unexpected message " + text);
    }
  }
}
