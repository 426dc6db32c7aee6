/**
 * The parts of resumable sessions (issue 17) that know nothing of the session core: the resume token
 * ({@link io.seedgate.gateway.resume.ResumeToken}), the replay buffer
 * ({@link io.seedgate.gateway.resume.ReplayBuffer}), the sequenced framing of a delivery ({@link io.seedgate.gateway.resume.SequencedFrames}), what a session hands over
 * when it moves to another connection or incarnation ({@link io.seedgate.gateway.resume.ResumableState}), the answers
 * ({@link io.seedgate.gateway.resume.ResumeMessages}, {@link io.seedgate.gateway.resume.ResumeReason}) and the
 * sessions that ended lately ({@link io.seedgate.gateway.resume.RecentEnds}). The session core
 * ({@code io.seedgate.gateway.session}) uses them; nothing here depends on it.
 */
package io.seedgate.gateway.resume;
