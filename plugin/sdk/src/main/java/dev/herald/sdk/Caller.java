package dev.herald.sdk;

/**
 * Who sent a request, as the server tells it: the token's accessor and display name and, when the
 * token belongs to an identity entity, the entity's id. The token itself never reaches a plugin.
 *
 * @param entityId       the identity entity's id, or "" (e.g. a root token)
 * @param tokenAccessor  the accessor of the caller's token, or "" for unauthenticated requests
 * @param displayName    the token's display name, e.g. "jwt-payments"
 * @param remoteAddress  the client's IP address as the server saw it, or ""
 */
public record Caller(String entityId, String tokenAccessor, String displayName, String remoteAddress) {
    /** No caller: a request the server made itself, or one without a token. */
    public static final Caller NONE = new Caller("", "", "", "");

    /** {@return whether the caller's token belongs to an identity entity} */
    public boolean hasEntity() {
        return !entityId.isEmpty();
    }
}
