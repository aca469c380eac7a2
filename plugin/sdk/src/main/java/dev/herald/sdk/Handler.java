package dev.herald.sdk;

/** Handles one operation on one path. Throws {@link VaultException} for the caller's mistakes. */
@FunctionalInterface
public interface Handler {
    /**
     * Handles one request.
     *
     * @param request the request, its fields checked against the path's declarations
     * @return the response; {@link Response#none()} for none
     */
    Response handle(Request request);
}
