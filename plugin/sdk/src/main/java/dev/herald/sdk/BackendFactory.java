package dev.herald.sdk;

/** Creates the backend of one mount. Must not write to storage: the server refuses writes until {@link Backend#initialize()}. */
@FunctionalInterface
public interface BackendFactory {
    Backend create(Mount mount);
}
