package dev.herald.engine;

import dev.herald.sdk.Caller;
import dev.herald.sdk.Entity;
import dev.herald.sdk.Operation;
import dev.herald.sdk.Request;
import dev.herald.sdk.VaultException;
import dev.herald.sdk.testing.FixedSystemView;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        return TestValues.open().services(List.of(services.split(","))).instance(instance).boundMountAccessor(mountAccessor)
                .boundAliasMetadata(metadata).allowUnbound(allowUnbound).build();
    }

    private static PublisherIdentity of(String entityId, Role role) {
        Request request = new Request("r", Operation.CREATE, "publish/x/y", Map.of(),
                new Caller(entityId, "tok", "name", ""), EngineFixture.MOUNT, null);
        return PublisherIdentity.of(request, role, SYSTEM);
    }

    private static VaultException assertForbidden(String fragment, Runnable call) {
        VaultException e = assertThrows(VaultException.class, call::run);
        assertEquals(403, e.status(), e::getMessage);
        assertTrue(e.getMessage().contains(fragment), e::getMessage);
        return e;
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

    /** The identity of a caller whose alias on auth_jwt_1 has exactly {@code metadata}. */
    private static PublisherIdentity withMetadata(Map<String, String> metadata) {
        return PublisherIdentity.builder()
                .entityId("e1")
                .mountAccessor("auth_jwt_1")
                .aliasName("sa:prod:web")
                .aliasMetadata(metadata)
                .tokenAccessor("tok")
                .build();
    }

    /**
     * DESIGN §5.2: with services {{alias.metadata.team}}-*, a team "pay-roll" would share team
     * "pay"'s space (pay-roll-api is both "pay-" and "pay-roll-" something). A filled value must
     * therefore be a whole name segment, [a-z0-9]+, whenever the template has a '*' or a second
     * placeholder; a caller whose value is not one gets a 403 naming the placeholder and the rule,
     * and not the value (alias metadata is the identity provider's, not the caller's to read back).
     */
    @Test
    void aFilledValueMustBeAWholeNameSegmentWhenTheTemplateHasStarsOrSeparators() {
        Role prefix = role("{{alias.metadata.team}}-*", "*", "", Map.of(), false);
        withMetadata(Map.of("team", "pay")).requireAllowed(prefix, "pay-api", "i1");
        VaultException e = assertForbidden("{{alias.metadata.team}}",
                () -> withMetadata(Map.of("team", "pay-roll")).requireAllowed(prefix, "pay-roll-api", "i1"));
        assertTrue(e.getMessage().contains("whole name segment"), e::getMessage);
        assertTrue(e.getMessage().contains("a-z, 0-9"), e::getMessage);
        VaultException quiet = assertForbidden("whole name segment",
                () -> withMetadata(Map.of("team", "secret.team-name")).requireAllowed(prefix, "web-api", "i1"));
        assertFalse(quiet.getMessage().contains("secret.team"), "the value is not echoed: " + quiet.getMessage());
        // Stricter than DESIGN's "follows": a separator or '*' before the placeholder counts too, or
        // team "roll-pay" would share team "pay"'s space under *-{{alias.metadata.team}}.
        Role suffix = role("*-{{alias.metadata.team}}", "*", "", Map.of(), false);
        withMetadata(Map.of("team", "pay")).requireAllowed(suffix, "x-pay", "i1");
        assertForbidden("whole name segment",
                () -> withMetadata(Map.of("team", "roll-pay")).requireAllowed(suffix, "x-roll-pay", "i1"));
        // Not only the neighbours: under {{alias.metadata.team}}x-*, team "ax-y" would get ax-yx-*,
        // inside team "a"'s ax-*.
        Role inner = role("{{alias.metadata.team}}x-*", "*", "", Map.of(), false);
        withMetadata(Map.of("team", "a")).requireAllowed(inner, "ax-api", "i1");
        assertForbidden("whole name segment",
                () -> withMetadata(Map.of("team", "ax-y")).requireAllowed(inner, "ax-yx-api", "i1"));
        // Values stay literal, and are refused rather than read as globs or folded to lower case.
        for (String value : List.of("*", ".*", "Pay", "pay_roll", "pay.roll")) {
            assertForbidden("whole name segment", () -> withMetadata(Map.of("team", value)).requireAllowed(prefix,
                    value.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z]", "") + "-api", "i1"));
        }
    }

    @Test
    void theSegmentRuleHoldsForInstanceTemplatesToo() {
        Role role = role("web", "{{alias.metadata.team}}-{{alias.metadata.pod}}", "", Map.of(), false);
        withMetadata(Map.of("team", "pay", "pod", "p1")).requireAllowed(role, "web", "pay-p1");
        // "pay-roll" + "p1" and "pay" + "roll-p1" would both be pay-roll-p1
        assertForbidden("{{alias.metadata.team}}",
                () -> withMetadata(Map.of("team", "pay-roll", "pod", "p1")).requireAllowed(role, "web", "pay-roll-p1"));
        assertForbidden("{{alias.metadata.pod}}",
                () -> withMetadata(Map.of("team", "pay", "pod", "roll-p1")).requireAllowed(role, "web", "pay-roll-p1"));
        // One placeholder and no '*' names exactly one instance per value, and different values
        // different instances: any value may fill it, a pod UID with dashes too.
        Role whole = role("web", "{{alias.metadata.pod}}", "", Map.of(), false);
        withMetadata(Map.of("pod", "3f2a-9c1e")).requireAllowed(whole, "web", "3f2a-9c1e");
        Role prefixed = role("web", "web-{{alias.metadata.pod}}", "", Map.of(), false);
        withMetadata(Map.of("pod", "3f2a-9c1e")).requireAllowed(prefixed, "web", "web-3f2a-9c1e");
        assertForbidden("requires the instance",
                () -> withMetadata(Map.of("pod", "3f2a")).requireAllowed(prefixed, "web", "web-3f2a-9c1e"));
    }

    /** One template a caller cannot fill does not keep another of the role's templates from matching. */
    @Test
    void anotherTemplateOfTheRoleStillApplies() {
        Role role = role("{{alias.metadata.team}}-*,shared", "*", "", Map.of(), false);
        withMetadata(Map.of("team", "pay-roll")).requireAllowed(role, "shared", "i1");
        assertForbidden("whole name segment",
                () -> withMetadata(Map.of("team", "pay-roll")).requireAllowed(role, "pay-roll-api", "i1"));
    }

    /**
     * With '*' in the placeholder's own segment ({{alias.metadata.team}}*: team "pay" gets pay*,
     * which holds team "payroll"'s payroll*), or two placeholders in one segment, no value is
     * safe: such a role (stored before roles refused it) lets no identity through that template.
     */
    @Test
    void aTemplateWithAStarOrAnotherPlaceholderInThePlaceholdersSegmentFillsNothing() {
        for (String template : List.of("{{alias.metadata.team}}*", "*{{alias.metadata.team}}", "a*b{{alias.metadata.team}}-x",
                "{{alias.metadata.team}}{{alias.metadata.pod}}-*")) {
            Role role = role(template, "*", "", Map.of(), false);
            assertForbidden("separate", () -> withMetadata(Map.of("team", "pay", "pod", "p1")).requireAllowed(role,
                    "payroll", "i1"));
        }
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
        assertForbidden("has no value for {{alias.metadata.absent}}", () -> of("e1", missingMetadata).requireAllowed(missingMetadata, "web", "x"));
    }
}
