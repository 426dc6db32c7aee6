package io.seedgate.gateway.session;

import io.seedgate.gateway.resume.ResumableState;
import io.seedgate.gateway.resume.ResumeReason;
import io.seedgate.gateway.resume.ResumeSettings;
import io.vertx.core.Future;

/**
 * What a session asks of its instance about resumes: the settings, the session a resume token names (taken from
 * wherever it is, to be imported), and that a resumable session was imported or ended for good. On the session's
 * event loop.
 */
interface SessionResumes {

  /** Resumes turned off: no session is resumable, every resume answers {@code unknown}. */
  SessionResumes OFF = new SessionResumes() {
    @Override
    public ResumeSettings settings() {
      return ResumeSettings.OFF;
    }

    @Override
    public Future<ResumableState<OutboundMessage>> take(Session fresh, String presented, long seq) {
      return Future.failedFuture(new io.seedgate.gateway.resume.ResumeFailure(ResumeReason.UNKNOWN));
    }

    @Override
    public void adopted(Session s, String previousId) {
    }

    @Override
    public void ended(Session s, ResumeReason why) {
    }
  };

  ResumeSettings settings();

  /**
   * The state of the session the presented token names, which is gone from where it was (without ending): for the
   * fresh session to import. Fails with a {@link io.seedgate.gateway.resume.ResumeFailure} to be answered.
   *
   * @param fresh     the session of the new connection
   * @param presented the resume token as the client sent it
   * @param seq       the last sequence number the client saw
   */
  Future<ResumableState<OutboundMessage>> take(Session fresh, String presented, long seq);

  /** The fresh session imported a state: it is found by its new id, token, player and map from now on. */
  void adopted(Session s, String previousId);

  /** A resumable session ended for good (resumes of it are answered {@code why}). */
  void ended(Session s, ResumeReason why);
}
