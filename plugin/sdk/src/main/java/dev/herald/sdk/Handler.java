package dev.herald.sdk;

/** Handles one operation on one path. Throws {@link VaultException} for the caller's mistakes. */
@FunctionalInterface
public interface Handler {
    Response handle(Request request);
}
