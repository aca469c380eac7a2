package com.example.kvlease;

import dev.herald.bridge.PluginServer;
import dev.herald.sdk.Backend;
import dev.herald.sdk.Mount;
import dev.herald.sdk.Router;
import dev.herald.sdk.SpecialPaths;

import java.util.List;

/**
 * A key-value secrets engine whose values are read with a lease: {@code secrets/:name} stores a
 * value and its lease TTL, {@code creds/:name} hands the value out under a renewable lease.
 */
public final class KvLeasePlugin {
    private KvLeasePlugin() {
    }

    /** The backend of one mount: each mount has its own storage. */
    static Backend backend(Mount mount) {
        Secrets secrets = new Secrets(mount.storage());
        return Router.builder("Key-value secrets read under a lease.",
                        "Write a value to secrets/<name>; read it from creds/<name>, with a lease of the secret's ttl.")
                .path(SecretPath.definition(secrets))
                .path(CredsPath.definition(secrets))
                .secretType(CredsPath.SECRET_TYPE, request -> CredsPath.renew(secrets, request), CredsPath::revoke)
                // The values are the secrets: the server seal-wraps their storage where it can.
                .specialPaths(new SpecialPaths(List.of(), List.of(), List.of(Secrets.PREFIX), List.of()))
                .build();
    }

    public static void main(String[] args) {
        // The version package-plugin.sh stamped into the jar's manifest: the one the plugin is registered with.
        String version = KvLeasePlugin.class.getPackage().getImplementationVersion();
        PluginServer.serve(KvLeasePlugin::backend, version == null ? "" : version);
    }
}
