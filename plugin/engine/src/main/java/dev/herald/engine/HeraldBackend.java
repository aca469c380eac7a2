package dev.herald.engine;

import dev.herald.sdk.Backend;
import dev.herald.sdk.Mount;
import dev.herald.sdk.Router;
import dev.herald.sdk.SpecialPaths;

import java.util.List;

/** Herald's backend for one mount: its paths, wired to the mount's storage. */
public final class HeraldBackend {
    private HeraldBackend() {
    }

    /** The version Herald reports to the server at registration ("" until releases are versioned). */
    public static final String VERSION = "";

    public static Backend create(Mount mount) {
        Signer signer = new Signer(mount.storage(), java.time.Clock.systemUTC());
        return Router.builder("Herald publishes workloads' public keys and signs discovery records.", """
                        Workloads generate their own key pairs and publish only public keys, write-once and
                        bound to their authenticated identity. Herald signs discovery records (keys,
                        endpoints, validity) that clients verify and pin for mutual TLS.
                        """)
                .path(ConfigPath.definition(mount.storage()))
                .path(RolesPath.definition(mount.storage()))
                .path(RolesPath.listDefinition(mount.storage()))
                .path(SignerPath.definition(signer))
                .path(SignerPath.rotateDefinition(signer))
                .path(JwksPath.definition(signer))
                // jwks needs no token; the signing keys live under "signer/", which the server seal-wraps.
                .specialPaths(new SpecialPaths(List.of(JwksPath.PATTERN), List.of(), List.of("signer/"), List.of()))
                .build();
    }
}
