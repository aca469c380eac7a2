package dev.herald.engine;

import dev.herald.sdk.Caller;
import dev.herald.sdk.Entity;
import dev.herald.sdk.Operation;
import dev.herald.sdk.Request;
import dev.herald.sdk.VaultException;
import dev.herald.sdk.testing.FixedSystemView;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The identity binding of roles: entity, bound auth mount, alias metadata globs and placeholders. */
class PublisherIdentityTest {
    private static final Entity.Alias JWT = new Entity.Alias("a1", "auth_jwt_1", "jwt", "sa:prod:web",
            Map.of("pod_uid", "p-*", "namespace", "prod-eu", "team", "web"));
    private static final Entity.Alias OTHER = new Entity.Alias("a2", "auth_userpass_1", "userpass", "alice", Map.of());
    private static final FixedSystemView SYSTEM = new FixedSystemView(Map.of(
            "e1", new Entity("e1", "pod", Map.of(), List.of(OTHER, JWT), false),
            "off", new Entity("off", "gone", Map.of(), List.of(JWT), true)));

    private static Role role(String services, String instance, String mountAccessor, Map<String, String> metadata,
                             boolean allowUnbound) {
        return new Role("r", List.of(services.split(",")), instance, mountAccessor, metadata, allowUnbound,
                List.of("ed25519"), 2048, Duration.ZERO, Duration.ZERO, true, true, List.of(), List.of(), List.of());
    }

    private static PublisherIdentity of(String entityId, Role role) {
        Request request = new Request("r", Operation.CREATE, "publish/x/y", Map.of(),
                new Caller(entityId, "tok", "name", ""), EngineFixture.MOUNT, null);
        return PublisherIdentity.of(request, role, SYSTEM);
    }

    private static void assertForbidden(String fragment, Runnable call) {
        VaultException e = assertThrows(VaultException.class, call::run);
        assertEquals(403, e.status(), e::getMessage);
        assertTrue(e.getMessage().contains(fragment), e::getMessage);
    }

    @Test
    void theBoundMountsAliasFillsThePlaceholders() {
        Role role = role("{{alias.metadata.team}}-*", "{{alias.name}}", "auth_jwt_1", Map.of("namespace", "prod-*"), false);
        PublisherIdentity identity = of("e1", role);
        assertEquals("auth_jwt_1", identity.mountAccessor());
        identity.requireAllowed(role, "web-api", "sa:prod:web");
        assertForbidden("does not allow publishing service", () -> identity.requireAllowed(role, "db-api", "sa:prod:web"));
        assertForbidden("requires the instance", () -> identity.requireAllowed(role, "web-api", "other"));
    }

    @Test
    void aStarInAliasMetadataIsLiteralNotAWildcard() {
        Role role = role("web", "{{alias.metadata.pod_uid}}", "auth_jwt_1", Map.of(), false);
        PublisherIdentity identity = of("e1", role);
        identity.requireAllowed(role, "web", "p-*");
        assertForbidden("requires the instance", () -> identity.requireAllowed(role, "web", "p-1"));
    }

    @Test
    void bindingsThatDoNotHoldAreRefused() {
        assertForbidden("did not log in through it", () -> of("e1", role("web", "*", "auth_k8s_9", Map.of(), false)));
        assertForbidden("bound_alias_metadata", () -> of("e1", role("web", "*", "auth_jwt_1", Map.of("namespace", "dev"), false)));
        assertForbidden("disabled", () -> of("off", role("web", "*", "", Map.of(), false)));
        assertForbidden("unknown to the server", () -> of("e-missing", role("web", "*", "", Map.of(), false)));
        assertForbidden("allow_unbound", () -> of("", role("web", "*", "", Map.of(), false)));
        assertEquals("", of("", role("web", "*", "", Map.of(), true)).entityId(), "allowed when unbound is");
        Role missingMetadata = role("web", "{{alias.metadata.absent}}", "auth_jwt_1", Map.of(), false);
        assertForbidden("lacks that metadata", () -> of("e1", missingMetadata).requireAllowed(missingMetadata, "web", "x"));
    }
}
