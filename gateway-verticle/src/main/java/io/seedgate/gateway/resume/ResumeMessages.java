package io.seedgate.gateway.resume;

import io.vertx.core.json.JsonObject;

import java.util.EnumMap;
import java.util.Map;

/** The messages of the resume protocol, as the client reads them (JSON text). */
public final class ResumeMessages {

  /** The error text of a failed resume. */
  public static final String RESUME_FAILED = "resume failed";
  private static final Map<ResumeReason, String> FAILURES = new EnumMap<>(ResumeReason.class);

  static {
    for (ResumeReason r : ResumeReason.values()) {
      FAILURES.put(r, new JsonObject().put("error", RESUME_FAILED).put("reason", r.wire()).encode());
    }
  }

  private ResumeMessages() {
  }

  /** {@code {"session":{"resume":"<token>","seq":<n>,"windowSeconds":<s>}}}: sent once the session is active. */
  public static String session(ResumeToken token, long seq, int windowSeconds) {
    return new JsonObject().put("session", new JsonObject().put("resume", token.encode()).put("seq", seq)
      .put("windowSeconds", windowSeconds)).encode();
  }

  /** {@code {"resumed":{"seq":<n>,"replayed":<k>,"resume":"<token>"}}}: the answer to a resume that worked. */
  public static String resumed(long seq, int replayed, ResumeToken token) {
    return new JsonObject().put("resumed", new JsonObject().put("seq", seq).put("replayed", replayed)
      .put("resume", token.encode())).encode();
  }

  /** {@code {"error":"resume failed","reason":"<reason>"}}. */
  public static String failed(ResumeReason reason) {
    return FAILURES.get(reason);
  }
}
