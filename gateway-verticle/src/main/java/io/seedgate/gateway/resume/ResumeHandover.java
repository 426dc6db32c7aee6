package io.seedgate.gateway.resume;

import io.vertx.core.Future;

/**
 * Where a resume goes whose token names a session held by another incarnation (another gateway instance of this node,
 * or another node): that incarnation exports the session ({@link ResumableState}) and it is imported here. Part 2 of
 * issue 17 implements it over the clustered event bus; until then {@link #NONE} refuses every such resume with
 * {@link ResumeReason#ELSEWHERE}.
 *
 * @param <M> the message type of the replay buffer
 */
public interface ResumeHandover<M> {

  /** Refuses every handover: {@code {"error":"resume failed","reason":"elsewhere"}}. */
  @SuppressWarnings("rawtypes")
  ResumeHandover NONE = (presented, seq) -> Future.failedFuture(new ResumeFailure(ResumeReason.ELSEWHERE));

  /**
   * Takes the session named by the token from the incarnation that holds it.
   *
   * @param presented the token the client presented (its session id names the incarnation)
   * @param seq       the last sequence number the client saw
   * @return the session's state, ended there without ending the player; a failure with a {@link ResumeFailure} for
   *         an answer to the client (any other failure answers {@link ResumeReason#ELSEWHERE})
   */
  Future<ResumableState<M>> take(ResumeToken presented, long seq);

  /** {@link #NONE} for any message type. */
  @SuppressWarnings("unchecked")
  static <M> ResumeHandover<M> none() {
    return NONE;
  }
}
