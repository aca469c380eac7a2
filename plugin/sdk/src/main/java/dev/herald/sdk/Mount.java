package dev.herald.sdk;

import java.util.Map;

/**
 * What a plugin gets for each mount: the mount's storage and system view, and its options.
 *
 * @param storage     the mount's private storage
 * @param system      what the server tells the mount about its settings and callers
 * @param config      the mount's options ({@code secrets enable -options k=v}) plus the server's
 *                    {@code plugin_name}, {@code plugin_type}, {@code plugin_version}
 * @param backendUuid the mount's stable id (empty when the server only probes the plugin)
 */
public record Mount(Storage storage, SystemView system, Map<String, String> config, String backendUuid) {
    /** Copies the options: a mount's options do not change while it lives. */
    public Mount {
        config = Map.copyOf(config);
    }
}
