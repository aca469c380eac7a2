package dev.herald.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.testing.LogFixture;
import dev.herald.client.testing.TestKeys;
import dev.herald.sdk.json.Json;
import dev.herald.tlog.NoteVerifier;
import dev.herald.tlog.SignedCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code herald witness} against a static log, and the witness policy of {@code herald log verify}. */
class WitnessCommandTest {
    private static final PublicKey KEY = TestKeys.ed25519().getPublic();

    @TempDir
    Path temp;
    private LogFixture log;
    private String address;

    @BeforeEach
    void start() {
        log = new LogFixture();
        address = log.start("herald");
    }

    @AfterEach
    void stop() {
        log.close();
    }

    private void events(int n) {
        for (int i = 0; i < n; i++) {
            log.publish("svc-" + (i % 3), "pod-" + log.size(), 1, KEY, "entity-1");
        }
    }

    /** A witness key made by keygen: its file and its vkey. */
    private record Key(Path file, String vkey) {
    }

    private Key keygen(String name) {
        Path file = temp.resolve(name + ".key");
        CliRun run = run("witness", "keygen", name, "--key", file.toString());
        assertEquals(HeraldCli.OK, run.exitCode(), run.err());
        return new Key(file, run.out().strip());
    }

    private CliRun witness(Key key, String state, String... more) {
        Path token = temp.resolve("token");
        try {
            Files.writeString(token, "witness-token\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<String> args = new ArrayList<>(List.of("witness", "--once", "--address", address, "--key", key.file().toString(),
                "--state", temp.resolve(state).toString(), "--token-file", token.toString()));
        args.addAll(Arrays.asList(more));
        return run(args.toArray(String[]::new));
    }

    /** The checkpoint note of the last POST to log/cosign. */
    private String lastPosted() {
        List<String> posted = log.posted();
        return (String) Json.parseObject(posted.getLast()).get("checkpoint");
    }

    private CliRun verify(String... more) {
        List<String> args = new ArrayList<>(List.of("log", "verify", "--address", address, "--state", temp.resolve("client").toString()));
        args.addAll(Arrays.asList(more));
        return run(args.toArray(String[]::new));
    }

    @Test
    void keygenWritesAnOwnerOnlyKeyOnceAndPrintsItsVkey() throws Exception {
        Key key = keygen("witness.example.com");
        NoteVerifier vkey = NoteVerifier.parse(key.vkey());
        assertEquals(NoteVerifier.COSIGNATURE_V1, vkey.type());
        assertEquals("witness.example.com", vkey.name());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key.file())));
        String written = Files.readString(key.file());
        CliRun again = run("witness", "keygen", "other", "--key", key.file().toString());
        assertEquals(HeraldCli.ERROR, again.exitCode());
        assertTrue(again.err().contains("never overwritten"), again.err());
        assertEquals(written, Files.readString(key.file()));
        assertEquals(HeraldCli.USAGE, run("witness", "keygen", "a+b", "--key", temp.resolve("x").toString()).exitCode());
    }

    @Test
    void aWitnessCosignsEachConsistentNewCheckpoint() throws Exception {
        Key key = keygen("w1");
        NoteVerifier witness = NoteVerifier.parse(key.vkey());
        events(40);
        log.publish();
        CliRun first = witness(key, "w1");
        assertEquals(HeraldCli.OK, first.exitCode(), first.err());
        SignedCheckpoint cosigned = SignedCheckpoint.open(lastPosted(), LogFixture.ORIGIN, List.of(log.verifier()));
        assertEquals(40, cosigned.checkpoint().size());
        assertEquals(1, cosigned.cosignatures(List.of(witness)).size(), "its cosignature verifies");

        events(300);
        log.publish();
        CliRun second = witness(key, "w1");
        assertEquals(HeraldCli.OK, second.exitCode(), second.err());
        assertEquals(340, SignedCheckpoint.open(lastPosted(), LogFixture.ORIGIN, List.of(log.verifier())).checkpoint().size());
        assertTrue(log.requested().stream().noneMatch(p -> p.startsWith("proof/")), "the witness computes proofs from tiles");
    }

    @Test
    void aWitnessRefusesAForkAShrinkAndATreeThatIsNotAPrefixWithoutPosting() throws Exception {
        Key key = keygen("w1");
        events(30);
        LogFixture.View older = log.publish();
        events(10);
        LogFixture.View honest = log.publish();
        assertEquals(HeraldCli.OK, witness(key, "w1").exitCode());
        int posts = log.posted().size();

        LogFixture fork = log.sameKey(); // the same log key signs another tree of the same size
        for (int i = 0; i < 40; i++) {
            fork.publish("svc-9", "intruder-" + i, 1, KEY, "entity-evil");
        }
        log.serve(fork.publish());
        CliRun forked = witness(key, "w1", "--log-hook", "printf '%s' \"$HERALD_LOG_EVIDENCE\" > " + temp.resolve("hook"));
        assertEquals(HeraldCli.LOG_INCONSISTENCY, forked.exitCode(), forked.err());
        assertTrue(forked.err().contains("fork"), forked.err());
        Path evidence = Path.of(Files.readString(temp.resolve("hook")));
        assertTrue(Files.readString(evidence.resolve("cosigned-checkpoint")).startsWith(honest.checkpoint().substring(0, 60)));
        assertEquals(fork.served().checkpoint(), Files.readString(evidence.resolve("checkpoint")));

        fork.publish("svc-9", "more", 1, KEY, "entity-evil");
        log.serve(fork.publish());
        CliRun notAPrefix = witness(key, "w1");
        assertEquals(HeraldCli.LOG_INCONSISTENCY, notAPrefix.exitCode(), notAPrefix.err());
        assertTrue(notAPrefix.err().contains("prefix"), notAPrefix.err());

        log.serve(older);
        CliRun shrunk = witness(key, "w1");
        assertEquals(HeraldCli.LOG_INCONSISTENCY, shrunk.exitCode(), shrunk.err());
        assertTrue(shrunk.err().contains("shrink"), shrunk.err());
        assertEquals(posts, log.posted().size(), "nothing posted after the first cosignature");
    }

    @Test
    void aWitnessChecksTheLogKeyItIsGiven() {
        Key key = keygen("w1");
        events(3);
        log.publish();
        CliRun other = witness(key, "w1", "--log-key", new LogFixture().vkey());
        assertEquals(HeraldCli.VERIFICATION, other.exitCode(), other.err());
        assertEquals(List.of(), log.posted());
    }

    @Test
    void logVerifyRequiresKOfTheGivenWitnessesOnAConsistentCheckpoint() throws Exception {
        Key a = keygen("a"), b = keygen("b");
        events(50);
        log.publish();
        assertEquals(HeraldCli.OK, witness(a, "a").exitCode());
        log.override("witnessed", lastPosted());

        assertEquals(HeraldCli.OK, verify("--witness", a.vkey()).exitCode());
        CliRun twoOfTwo = verify("--witness", a.vkey(), "--witness", b.vkey(), "--witness-wait", "300ms");
        assertEquals(HeraldCli.VERIFICATION, twoOfTwo.exitCode(), twoOfTwo.err());
        assertTrue(twoOfTwo.err().contains("has 1 of the 2 cosignatures required"), twoOfTwo.err());
        assertEquals(HeraldCli.OK, verify("--witness", a.vkey(), "--witness", b.vkey(), "--witnesses-required", "1").exitCode());

        String witnessed = lastPosted();
        events(5);
        log.publish();
        log.override("witnessed", witnessed); // the witness has not seen the new checkpoint
        CliRun behind = verify("--witness", a.vkey(), "--witness-wait", "300ms");
        assertEquals(HeraldCli.VERIFICATION, behind.exitCode(), behind.err());
        assertTrue(behind.err().contains("smaller than 55"), behind.err());

        assertEquals(HeraldCli.USAGE, verify("--witness", a.vkey(), "--witnesses-required", "2").exitCode());
        assertEquals(HeraldCli.USAGE, verify("--witness", log.vkey()).exitCode(), "a log key is not a witness key");
        assertEquals(HeraldCli.USAGE, verify("--witnesses-required", "1").exitCode());
    }

    @Test
    void aWitnessedCheckpointInconsistentWithTheClientsIsALogInconsistency() throws Exception {
        Key a = keygen("a");
        events(50);
        log.publish();
        // The witness is shown a fork of the same size; the client the honest log.
        LogFixture fork = log.sameKey();
        for (int i = 0; i < 50; i++) {
            fork.publish("svc-9", "intruder-" + i, 1, KEY, "entity-evil");
        }
        LogFixture.View honest = log.served();
        log.serve(fork.publish());
        assertEquals(HeraldCli.OK, witness(a, "a").exitCode());
        log.serve(honest);
        log.override("witnessed", lastPosted());
        CliRun run = verify("--witness", a.vkey());
        assertEquals(HeraldCli.LOG_INCONSISTENCY, run.exitCode(), run.err());
    }

    private static CliRun run(String... args) {
        return CliRun.run(args);
    }
}
