package com.example.kvlease;

import dev.herald.sdk.Field;
import dev.herald.sdk.Lease;
import dev.herald.sdk.Log;
import dev.herald.sdk.Path;
import dev.herald.sdk.Request;
import dev.herald.sdk.Response;
import dev.herald.sdk.VaultException;

import java.util.Map;

/** creds/:name: the secret's value under a renewable lease of the secret's TTL. */
final class CredsPath {
    static final String SECRET_TYPE = "kv_value";
    private static final Log LOG = Log.named("kv-lease");

    private CredsPath() {
    }

    static Path definition(Secrets secrets) {
        return Path.pattern("creds/:name")
                .fields(SecretPath.NAME)
                .read("Read a secret's value under a lease.", request -> {
                    String name = request.get(SecretPath.NAME);
                    return secrets.get(name)
                            .map(secret -> Response.data(Map.of("value", secret.value()))
                                    // At most 10 renewals' worth in all; the name comes back with renew and revoke.
                                    .withLease(Lease.renewable(SECRET_TYPE, secret.ttl(), secret.ttl().multipliedBy(10),
                                            Map.of("name", name))))
                            .orElse(Response.none());
                })
                .help("A secret's value, leased.", "Each read is a lease of the secret's ttl; renew it, or revoke it when done.");
    }

    /** Renews for the secret's current TTL; a deleted secret's leases are not renewed. */
    static Response renew(Secrets secrets, Request request) {
        Lease lease = request.lease().orElseThrow();
        String name = lease.string("name").orElseThrow();
        Secrets.Secret secret = secrets.get(name).orElseThrow(() ->
                VaultException.badRequest("secret " + name + " was deleted; its leases are not renewed"));
        return Response.renewal(lease.renewedFor(secret.ttl()));
    }

    /** Nothing to undo here (the value stays valid): log it; a real engine would revoke a credential. */
    static Response revoke(Request request) {
        LOG.info("lease revoked", "name", request.lease().flatMap(lease -> lease.string("name")).orElse(""));
        return Response.none();
    }
}
