package dev.herald.engine;

import dev.herald.sdk.Caller;
import dev.herald.sdk.Entity;
import dev.herald.sdk.Operation;
import dev.herald.sdk.Response;
import dev.herald.sdk.VaultException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A mount in memory set up for publishing: a pod's identity entity (alias metadata pod_uid=pod-1,
 * namespace=prod) and a role {@code web} binding the instance to pod_uid, with endpoint limits.
 */
final class PublishingFixture {
    static final Entity POD = new Entity("e1", "pod", Map.of(), List.of(new Entity.Alias("a1", "auth_jwt_1",
            "jwt", "system:serviceaccount:prod:web", Map.of("pod_uid", "pod-1", "namespace", "prod"))), false);
    static final Caller POD_CALLER = new Caller("e1", "tok-1", "jwt-web", "127.0.0.1");

    final EngineFixture engine;
    final TestKeys first = TestKeys.generate("ed25519");

    PublishingFixture() {
        this(Map.of("e1", POD));
    }

    /** With these identity entities known to the server (POD among them, for the publishes). */
    PublishingFixture(Map<String, Entity> entities) {
        engine = new EngineFixture(entities);
        engine.send(Operation.UPDATE, "config", Map.of("default_ttl", "1h", "min_overlap", "10m"));
        engine.send(Operation.CREATE, "roles/web", Map.of("services", "web", "instance", "{{alias.metadata.pod_uid}}",
                "bound_mount_accessor", "auth_jwt_1", "bound_alias_metadata", Map.of("namespace", "prod"),
                "allowed_dns_names", "*.web.internal", "allowed_cidrs", "10.0.0.0/8", "allowed_ports", "443,8443"));
    }

    /** A publish body for pod-1 with these keys' CSR, endpoints and metadata the role allows. */
    Map<String, Object> body(TestKeys keys) {
        Map<String, Object> body = new HashMap<>();
        body.put("role", "web");
        body.put("csr", keys.csr());
        body.put("endpoints", List.of("a.web.internal:8443", "https://10.1.2.3/"));
        body.put("ip_addresses", List.of("10.1.2.3"));
        body.put("metadata", Map.of("zone", "a"));
        return body;
    }

    /** publish/web/pod-1 as the pod, create or update as the existence check decides. */
    Response publish(Map<String, Object> body) {
        return engine.write("publish/web/pod-1", body, POD_CALLER);
    }

    Map<String, Object> discover() {
        return engine.send(Operation.READ, "discover/web", Map.of()).data();
    }

    static void assertStatus(int status, String fragment, Supplier<?> call) {
        VaultException e = assertThrows(VaultException.class, call::get);
        assertEquals(status, e.status(), e::getMessage);
        assertTrue(e.getMessage().contains(fragment), () -> "\"" + fragment + "\" in: " + e.getMessage());
    }
}
