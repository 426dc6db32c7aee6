package io.seedgate.gateway.session;

import io.seedgate.common.lifecycle.Incarnation;
import io.seedgate.gateway.resume.RecentEnds;
import io.seedgate.gateway.resume.ResumableState;
import io.seedgate.gateway.resume.ResumeFailure;
import io.seedgate.gateway.resume.ResumeReason;
import io.seedgate.gateway.resume.ResumeSettings;
import io.seedgate.gateway.resume.ResumeToken;
import io.vertx.core.Future;

import java.util.function.LongSupplier;

/**
 * The resumes of one gateway instance: a resume token naming one of its own sessions takes that session (detached,
 * or still attached to a connection the client has left: that connection is closed) for the new connection, in one
 * event-loop turn, so that no delivery falls between the two; a token naming another incarnation (another instance
 * of this node, or another node) is taken from there by the {@link HandoverTaker}, and this instance's sessions are
 * given to others by the {@link HandoverGiver}, which asks here whether a resume may take one ({@link #refusal}).
 * Also remembers why resumable sessions ended lately ({@link RecentEnds}). Used on the instance's event loop.
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
  private HandoverTaker taker;

  SessionResumption(SessionIndex index, SessionRegistry registry, Incarnation incarnation, ResumeSettings settings,
                    LongSupplier clock) {
    this.index = index;
    this.registry = registry;
    this.incarnation = incarnation;
    this.settings = settings;
    this.clock = clock;
    this.recent = new RecentEnds(RECENT_ENDS, settings.windowMs() + RECENT_ENDS_MS);
  }

  /** Where resumes of sessions held by other incarnations go; without one they are answered {@code elsewhere}. */
  void taker(HandoverTaker taker) {
    this.taker = taker;
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
      return taker == null ? refused(ResumeReason.ELSEWHERE) : taker.take(fresh, token, seq);
    }
    Session held = index.byId(token.sessionId());
    ResumeReason refusal = held == fresh ? ResumeReason.UNKNOWN : refusal(token, seq);
    if (refusal != null) {
      return refused(refusal);
    }
    ResumableState<OutboundMessage> state = held.export();
    registry.retire(held);
    held.handedOver();
    return Future.succeededFuture(state);
  }

  /**
   * Why a resume presenting the token, having seen deliveries up to {@code seq}, may not take this instance's
   * session; {@code null} when it may.
   */
  ResumeReason refusal(ResumeToken token, long seq) {
    Session held = index.byId(token.sessionId());
    if (held == null) {
      return recent.reason(token.sessionId(), clock.getAsLong());
    }
    if (!held.resumable() || !held.resumeToken().matches(token)) {
      return ResumeReason.UNKNOWN;
    }
    if (held.replay().droppedAfter(seq)) {
      return ResumeReason.OVERFLOWED;
    }
    return held.replay().canReplayAfter(seq) ? null : ResumeReason.UNKNOWN;
  }

  @Override
  public void adopted(Session s, String previousId) {
    registry.adopt(s, previousId);
    if (taker != null) {
      taker.adopted(s);
    }
  }

  @Override
  public void ended(Session s, ResumeReason why) {
    recent.ended(s.id(), why, clock.getAsLong());
    if (taker != null) {
      taker.notAdopted(s);
    }
  }

  private static Future<ResumableState<OutboundMessage>> refused(ResumeReason reason) {
    return Future.failedFuture(new ResumeFailure(reason));
  }
}
