package io.seedgate.gateway.session;

import io.seedgate.gateway.routing.ActionSink;

import java.util.function.LongSupplier;

/**
 * Everything a {@link Session} works with besides its client's channel, shared by the sessions of one gateway
 * instance: each a small interface or value, so that a session can be read, and run, alone.
 *
 * @param authenticator checks a presented token
 * @param actions       where actions go, and which models are allowed
 * @param lifecycle     told when the session authenticated and when it ended
 * @param latencies     where login and routing latencies go
 * @param counters      the instance's figures the session adds to
 * @param errors        the message sent for each error
 * @param limits        largest message, message rate
 * @param clock         the time in milliseconds, as {@link System#currentTimeMillis()} (rate, idle time)
 * @param resumes       resumable sessions: the settings, resumes taken, ends remembered
 */
record SessionCollaborators(Authenticator authenticator, ActionSink actions, SessionLifecycle lifecycle,
                            SessionLatencies latencies, HubCounters counters, ErrorMessages errors,
                            SessionLimits limits, LongSupplier clock, SessionResumes resumes) {

  /** Without resumable sessions. */
  SessionCollaborators(Authenticator authenticator, ActionSink actions, SessionLifecycle lifecycle,
                       SessionLatencies latencies, HubCounters counters, ErrorMessages errors,
                       SessionLimits limits, LongSupplier clock) {
    this(authenticator, actions, lifecycle, latencies, counters, errors, limits, clock, SessionResumes.OFF);
  }
}
