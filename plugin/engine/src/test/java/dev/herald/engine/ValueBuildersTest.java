package dev.herald.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The builders of the many-field values: every field named, none forgotten, and no other way in. */
class ValueBuildersTest {
    private static final Instant NOW = TestValues.NOW;

    private static Publication publication() {
        return TestValues.publication("pod-1", 1, PublisherKeys.fromPublicKey(TestKeys.generate("ed25519").publicKeyPem()));
    }

    private static History.Event.Builder signerRotation() {
        return History.Event.builder().type("signer_rotate").time(NOW).fingerprint("kid-2").actor(TestValues.PUBLISHER);
    }

    private static void assertLeftOut(String message, Executable build) {
        IllegalStateException e = assertThrows(IllegalStateException.class, build);
        assertEquals(message, e.getMessage());
    }

    @Test
    void aFieldLeftOutIsNamed() {
        assertLeftOut("Config: defaultTtl is not set", () -> Config.builder().build());
        assertLeftOut("Config: recordTtl is not set", () -> Config.DEFAULTS.toBuilder().recordTtl(null).build());
        assertLeftOut("Role: services is not set", () -> Role.builder().name("r").build());
        assertLeftOut("Role: maxTtl is not set", () -> TestValues.open().maxTtl(null).build());
        assertLeftOut("Publication: maxNotAfter is not set", () -> publication().toBuilder().maxNotAfter(null).build());
        assertLeftOut("Publication: instance is not set", () -> Publication.builder().generation(1).build());
        assertLeftOut("History.Event: actor is not set", () -> signerRotation().actor(null).build());
        assertLeftOut("History.Event: generation (of instance pod-1) is not set",
                () -> signerRotation().instance("pod-1").build());
        assertLeftOut("History.Event: instance (given with generation 3) is not set",
                () -> signerRotation().generation(3).build());
        assertLeftOut("PublisherIdentity: entityId is not set", () -> PublisherIdentity.builder().build());
        assertLeftOut("PublisherIdentity: aliasMetadata is not set", () -> PublisherIdentity.builder().entityId("e1")
                .mountAccessor("acc").aliasName("pod").tokenAccessor("tok").build());
        assertLeftOut("PublisherIdentity: tokenAccessor is not set",
                () -> PublisherIdentity.builder().entityId("").noAlias().build());
        assertLeftOut("EndpointClaims: endpoints is not set", () -> EndpointClaims.builder().build());
        assertLeftOut("EndpointClaims: dnsNames is not set", () -> TestValues.noClaims().dnsNames(null).build());
    }

    @Test
    void toBuilderCopiesEveryField() {
        assertEquals(Config.DEFAULTS, Config.DEFAULTS.toBuilder().build());
        Role role = TestValues.endpointLimits(true);
        assertEquals(role, role.toBuilder().build());
        Publication publication = publication();
        assertEquals(publication, publication.toBuilder().build());
        assertEquals(publication.notAfter().minusSeconds(1),
                publication.endingAt(publication.notAfter().minusSeconds(1)).notAfter());
    }

    @Test
    void anEventLeavesOutWhatItDoesNotConcern() {
        Map<String, Object> data = signerRotation().build().toData();
        assertFalse(data.containsKey("instance"));
        assertFalse(data.containsKey("generation"));
        assertFalse(data.containsKey("sequence"));
        assertFalse(data.containsKey("detail"));
        Map<String, Object> revoke = signerRotation().type("revoke").instance("pod-1").generation(2).sequence(7)
                .detail("lost").build().toData();
        assertEquals(List.of("type", "time", "instance", "generation", "fingerprint", "actor", "sequence", "detail"),
                List.copyOf(revoke.keySet()));
    }

    /**
     * Records cannot hide their canonical constructors, so this guard keeps them to their builders:
     * a positional call of fields that share a type is where two of them swap unseen.
     */
    @Test
    void onlyTheBuildersCallTheConstructors() throws IOException {
        Pattern construction = Pattern.compile(
                "\\bnew\\s+(?:History\\.)?(Config|Role|Publication|Event|PublisherIdentity|EndpointClaims)\\s*\\(");
        Map<String, String> ownFile = Map.of("Config", "Config.java", "Role", "Role.java",
                "Publication", "Publication.java", "Event", "History.java",
                "PublisherIdentity", "PublisherIdentity.java", "EndpointClaims", "EndpointClaims.java");
        List<String> found = new ArrayList<>();
        List<Path> roots = List.of(Path.of("src/main/java/dev/herald/engine"), Path.of("src/test/java/dev/herald/engine"));
        for (Path root : roots) {
            assertTrue(Files.isDirectory(root), root + " (run from the module's directory)");
            try (Stream<Path> files = Files.list(root)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher match = construction.matcher(Files.readString(file));
                    while (match.find()) {
                        found.add(match.group(1) + " in " + file.getFileName());
                    }
                }
            }
        }
        List<String> expected = ownFile.entrySet().stream().map(e -> e.getKey() + " in " + e.getValue()).sorted().toList();
        assertEquals(expected, found.stream().sorted().toList(),
                "each value is constructed once, in its own builder's build()");
    }
}
