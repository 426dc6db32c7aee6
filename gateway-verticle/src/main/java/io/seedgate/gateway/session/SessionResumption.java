package io.seedgate.gateway.session;

import io.seedgate.common.lifecycle.Incarnation;
import io.seedgate.gateway.resume.RecentEnds;
import io.seedgate.gateway.resume.ResumableState;
import io.seedgate.gateway.resume.ResumeFailure;
import io.seedgate.gateway.resume.ResumeHandover;
import io.seedgate.gateway.resume.ResumeReason;
import io.seedgate.gateway.resume.ResumeSettings;
import io.seedgate.gateway.resume.ResumeToken;
import io.vertx.core.Future;

import java.util.function.LongSupplier;

/**
 * The resumes of one gateway instance: a resume token naming one of its own sessions takes that session (detached,
 * or still attached to a connection the client has left: that connection is closed) for the new connection, in one
 * event-loop turn, so that no delivery falls between the two; a token naming another incarnation goes to the
 * {@link ResumeHandover}. Also remembers why resumable sessions ended lately ({@link RecentEnds}). Used on the
 * instance's event loop.
 */
final class SessionResumption implements SessionResumes {

  /** Ends remembered at most, and for how long after the window (then a resume is answered {@code unknown}). */
  static final int RECENT_ENDS = 16_384;
  static final long RECENT_ENDS_MS = 10 * 60_000;

  private final SessionIndex index;
  private final SessionRegistry registry;
  private final Incarnation incarnation;
  private final ResumeSettings settings;
  private final LongSupplier clock;
  private final RecentEnds recent;
  private ResumeHandover<OutboundMessage> handover = ResumeHandover.none();

  SessionResumption(SessionIndex index, SessionRegistry registry, Incarnation incarnation, ResumeSettings settings,
                    LongSupplier clock) {
    this.index = index;
    this.registry = registry;
    this.incarnation = incarnation;
    this.settings = settings;
    this.clock = clock;
    this.recent = new RecentEnds(RECENT_ENDS, settings.windowMs() + RECENT_ENDS_MS);
  }

  /** Where resumes of sessions held by other incarnations go (part 2 of issue 17). */
  void handover(ResumeHandover<OutboundMessage> handover) {
    this.handover = handover;
  }

  @Override
  public ResumeSettings settings() {
    return settings;
  }

  @Override
  public Future<ResumableState<OutboundMessage>> take(Session fresh, String presented, long seq) {
    ResumeToken token = ResumeToken.parse(presented);
    if (token == null || !settings.enabled()) {
      return refused(ResumeReason.UNKNOWN);
    }
    if (!token.incarnationId().equals(incarnation.id())) {
      return handover.take(token, seq);
    }
    Session held = index.byId(token.sessionId());
    if (held == null || held == fresh || !held.resumable()) {
      return refused(held == null ? recent.reason(token.sessionId(), clock.getAsLong()) : ResumeReason.UNKNOWN);
    }
    if (!held.resumeToken().matches(token)) {
      return refused(ResumeReason.UNKNOWN);
    }
    if (held.replay().droppedAfter(seq)) {
      return refused(ResumeReason.OVERFLOWED);
    }
    if (!held.replay().canReplayAfter(seq)) {
      return refused(ResumeReason.UNKNOWN);
    }
    ResumableState<OutboundMessage> state = held.export();
    registry.retire(held);
    return Future.succeededFuture(state);
  }

  @Override
  public void adopted(Session s, String previousId) {
    registry.adopt(s, previousId);
  }

  @Override
  public void ended(Session s, ResumeReason why) {
    recent.ended(s.id(), why, clock.getAsLong());
  }

  private static Future<ResumableState<OutboundMessage>> refused(ResumeReason reason) {
    return Future.failedFuture(new ResumeFailure(reason));
  }
}
