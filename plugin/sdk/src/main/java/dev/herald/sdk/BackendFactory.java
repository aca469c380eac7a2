package dev.herald.sdk;

/** Creates the backend of one mount. Must not write to storage: the server refuses writes until {@link Backend#initialize()}. */
@FunctionalInterface
public interface BackendFactory {
    /**
     * Creates the backend of a mount.
     *
     * @param mount the mount's storage, system view and options
     * @return its backend, usually a {@link Router}
     */
    Backend create(Mount mount);
}
