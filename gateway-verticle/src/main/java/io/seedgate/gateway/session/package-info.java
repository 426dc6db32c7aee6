/**
 * The session core, the same on every transport. Where to start reading:
 * <ul>
 *   <li>{@link io.seedgate.gateway.session.Session}: one client's session (token, actions, deliveries, errors), which
 *       works with its {@link io.seedgate.gateway.session.ClientChannel} and the small collaborators of
 *       {@link io.seedgate.gateway.session.SessionCollaborators} only, so it runs alone ({@code SessionTest});</li>
 *   <li>{@link io.seedgate.gateway.session.SessionHub}: the sessions of one gateway instance as the verticle and the
 *       transports see them; it wires the parts below and hands each call to one of them:
 *       {@code SessionIndex} (by id, token, player, map), {@code SessionRegistry} (admission, activation, end),
 *       {@code RouterAuthenticator} with {@code LoginGate} (token checks), {@code SessionEnds} (ends recorded, with
 *       retries), {@code DeliveryDispatch} (Redis channels to sessions), {@code SessionCommands} (kick, map change),
 *       {@code SessionSweeper} (timeouts), {@code SessionReassertion} (after Redis lost its data) and
 *       {@code SessionShutdown} (stop and drain); {@code SessionRouter} is what they ask of the router
 *       ({@code EventBusRouter} on the event bus). {@code SessionHubPartsTest} runs them alone.</li>
 * </ul>
 * Everything here runs on the event loop of the gateway instance that owns the session; the figures
 * ({@link io.seedgate.gateway.session.HubCounters}, the counts of the hub) are readable from any thread.
 */
package io.seedgate.gateway.session;
