package dev.herald.sdk;

import java.util.Map;

/**
 * What a plugin gets for each mount: the mount's storage and system view, and its options.
 *
 * @param config      the mount's options ({@code secrets enable -options k=v}) plus the server's
 *                    {@code plugin_name}, {@code plugin_type}, {@code plugin_version}
 * @param backendUuid the mount's stable id (empty when the server only probes the plugin)
 */
public record Mount(Storage storage, SystemView system, Map<String, String> config, String backendUuid) {
    public Mount {
        config = Map.copyOf(config);
    }
}
