package io.seedgate.router.auth;

/**
 * Who a valid token belongs to.
 *
 * @param playerId the player
 * @param mapId    the map the token names, or {@code null} when it names none
 * @param hashKey  the player's Redis hash when the token is a 2021 token, {@code null} for a JWT
 */
public record Identity(String playerId, String mapId, String hashKey) {
}
