package dev.herald.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.consumer.StateDirectory;
import dev.herald.client.testing.LogFixture;
import dev.herald.client.testing.TestKeys;
import dev.herald.tlog.Ed25519Keys;
import dev.herald.tlog.Hash;
import dev.herald.tlog.NoteSigner;
import dev.herald.tlog.SignedNote;
import dev.herald.tlog.Checkpoint;
import dev.herald.tlog.TileId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code herald log verify} and {@code herald log watch} against a static log served over HTTP (design-log §5, §7.4). */
class LogCommandTest {
    private static final String CHECKPOINT_FILE = "log/vault.example.com%2Fherald%2Flog/checkpoint";
    private static final PublicKey KEY_A = TestKeys.ed25519().getPublic();
    private static final PublicKey KEY_B = TestKeys.p256().getPublic();

    @TempDir
    Path temp;
    private LogFixture log;
    private String address;
    private Path state;
    private Path hookOut;

    @BeforeEach
    void start() {
        log = new LogFixture();
        address = log.start("herald");
        state = temp.resolve("state");
        hookOut = temp.resolve("hook-out");
    }

    @AfterEach
    void stop() {
        log.close();
    }

    /** n events over a few services: publishes, rotations, lease ends. */
    private void events(int n) {
        for (int i = 0; i < n; i++) {
            String service = "svc-" + (i % 7);
            switch (i % 5) {
                case 0, 1, 2 -> log.publish(service, "pod-" + i, 1, i % 2 == 0 ? KEY_A : KEY_B, "entity-" + (i % 3));
                case 3 -> log.rotate(service, "pod-" + (i - 3), 2, KEY_B, "entity-1");
                default -> log.leaseEnd(service, "pod-" + (i - 4), 1, "entity-1");
            }
        }
    }

    private CliRun verify(String... more) {
        List<String> args = new ArrayList<>(List.of("log", "verify", "--address", address, "--state", state.toString(),
                "--log-hook", "printf '%s' \"$HERALD_LOG_EVIDENCE\" > " + hookOut));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    private String stored() throws Exception {
        return Files.readString(state.resolve(CHECKPOINT_FILE));
    }

    @Test
    void anHonestLogVerifiesAndItsCheckpointIsKept() throws Exception {
        events(700); // two full level-0 tiles and a partial, a partial level-1 tile
        LogFixture.View view = log.publish();
        CliRun run = verify();
        assertEquals(HeraldCli.OK, run.exitCode(), run.err());
        assertTrue(run.err().contains("700 entries verified"), run.err());
        assertEquals(view.checkpoint(), stored());
        assertEquals(log.vkey() + "\n", Files.readString(state.resolve(StateDirectory.LOG_KEYS)), "the log key is pinned");
        List<String> asked = log.requested();
        assertTrue(asked.containsAll(List.of("key", "checkpoint", "tile/0/000", "tile/0/001", "tile/0/002.p/188",
                "tile/entries/000", "tile/entries/002.p/188", "tile/1/000.p/2")), asked.toString());
    }

    @Test
    void aSecondRunReadsOnlyWhatIsNewAndChecksConsistency() throws Exception {
        events(300);
        log.publish();
        assertEquals(HeraldCli.OK, verify().exitCode());
        log.requested();
        events(400);
        LogFixture.View bigger = log.publish();
        CliRun run = verify();
        assertEquals(HeraldCli.OK, run.exitCode(), run.err());
        assertTrue(run.err().contains("700 entries verified (400 read now)"), run.err());
        List<String> asked = log.requested();
        assertFalse(asked.contains("tile/entries/000"), "the first full bundle was verified before: " + asked);
        assertTrue(asked.contains("tile/entries/001"), asked.toString());
        assertTrue(asked.contains("proof/consistency"), "consistency with the stored checkpoint: " + asked);
        assertFalse(asked.contains("key"), "the key was pinned the first time");
        assertEquals(bigger.checkpoint(), stored());

        assertEquals(HeraldCli.OK, verify("--from-scratch").exitCode());
        assertTrue(log.requested().contains("tile/entries/000"));
    }

    @Test
    void aForkedViewIsAnInconsistencyWithEvidenceAndTheHook() throws Exception {
        events(300);
        LogFixture.View honest = log.publish();
        assertEquals(HeraldCli.OK, verify().exitCode());
        // Another tree of the same size signed by the same key: only the last leaf differs.
        LogFixture fork = log.sameKey();
        for (long i = 0; i < 299; i++) {
            fork.appendBytes(log.leafBytes(i));
        }
        fork.append(log.leaf("publish", "svc-0", "intruder", 1, KEY_B, "entity-evil")); // a valid next event of svc-0
        log.serve(fork.publish());

        CliRun run = verify();
        assertEquals(HeraldCli.LOG_INCONSISTENCY, run.exitCode(), run.err());
        Path evidence = Path.of(Files.readString(hookOut));
        assertTrue(evidence.startsWith(state.toRealPath().resolve("log")), evidence.toString());
        assertEquals(honest.checkpoint(), Files.readString(evidence.resolve("stored-checkpoint")));
        assertEquals(fork.served().checkpoint(), Files.readString(evidence.resolve("checkpoint")));
        assertTrue(Files.readString(evidence.resolve("reason")).contains("not a prefix"), Files.readString(evidence.resolve("reason")));
        assertEquals(honest.checkpoint(), stored(), "the stored checkpoint never moves to the fork");

        // Without the progress file (a fresh replay), the fork still meets the stored checkpoint: same size, other root.
        CliRun scratch = verify("--from-scratch");
        assertEquals(HeraldCli.LOG_INCONSISTENCY, scratch.exitCode(), scratch.err());
        assertTrue(scratch.err().contains("fork: two checkpoints of size 300 with different roots"), scratch.err());
        assertEquals(honest.checkpoint(), stored());
    }

    @Test
    void aShrunkCheckpointIsAnInconsistency() throws Exception {
        events(200);
        LogFixture.View older = log.publish();
        events(100);
        log.publish();
        assertEquals(HeraldCli.OK, verify().exitCode());
        String kept = stored();
        log.serve(older);
        CliRun run = verify();
        assertEquals(HeraldCli.LOG_INCONSISTENCY, run.exitCode(), run.err());
        assertTrue(run.err().contains("shrink"), run.err());
        assertTrue(Files.exists(Path.of(Files.readString(hookOut)).resolve("stored-checkpoint")));
        assertEquals(kept, stored());
    }

    @Test
    void aRewrittenLeafIsAnInconsistency() throws Exception {
        events(300);
        LogFixture.View view = log.publish();
        byte[] bundle = view.tiles().get(TileId.entries(0, 256)).clone();
        bundle[40] ^= 1; // inside leaf 0's JSON
        log.override("tile/entries/000", bundle);
        CliRun run = verify();
        assertEquals(HeraldCli.LOG_INCONSISTENCY, run.exitCode(), run.err());
        assertTrue(run.err().contains("rewrite: leaf 0"), run.err());
        assertTrue(Files.exists(Path.of(Files.readString(hookOut)).resolve("leaf")));
        assertFalse(Files.exists(state.resolve(CHECKPOINT_FILE)), "nothing is kept of a log that failed");
    }

    @Test
    void aTileThatDoesNotHashToTheRootIsAnInconsistency() throws Exception {
        events(600);
        LogFixture.View view = log.publish();
        // A consistent rewrite of bundle 1 and its level-0 tile: only the level-1 tile (and the root) can tell.
        byte[] tile = view.tiles().get(TileId.hashes(0, 1, 256)).clone();
        tile[5] ^= 1;
        log.override("tile/0/001", tile);
        CliRun run = verify();
        assertEquals(HeraldCli.LOG_INCONSISTENCY, run.exitCode(), run.err());
        assertTrue(Files.isDirectory(Path.of(Files.readString(hookOut))));

        // With only one level (no tile above to compare with), the root tells.
        LogFixture small = new LogFixture();
        String smallAddress = small.start("herald");
        try {
            for (int i = 0; i < 300; i++) {
                small.publish("svc", "pod-" + i, 1, KEY_A, "entity-1");
            }
            LogFixture.View smallView = small.publish();
            byte[] partial = smallView.tiles().get(TileId.hashes(0, 1, 44)).clone();
            partial[0] ^= 1;
            small.override("tile/0/001.p/44", partial);
            CliRun rootRun = run("log", "verify", "--address", smallAddress, "--state", temp.resolve("other").toString());
            assertEquals(HeraldCli.LOG_INCONSISTENCY, rootRun.exitCode(), rootRun.err());
        } finally {
            small.close();
        }
    }

    @Test
    void aServiceHistoryThatSkipsOrRepublishesIsAnInconsistency() throws Exception {
        events(10);
        Map<String, Object> skipped = new LinkedHashMap<>(log.leaf("publish", "svc-1", "pod-x", 1, KEY_A, "entity-1"));
        skipped.put("history_index", 99L);
        log.append(skipped);
        log.publish();
        CliRun gap = verify();
        assertEquals(HeraldCli.LOG_INCONSISTENCY, gap.exitCode(), gap.err());
        assertTrue(gap.err().contains("history_index 99"), gap.err());

        LogFixture other = new LogFixture();
        String otherAddress = other.start("herald");
        try {
            other.publish("svc", "pod-1", 1, KEY_A, "entity-1");
            other.publish("svc", "pod-1", 1, KEY_B, "entity-2"); // the same generation, another key
            other.publish();
            CliRun twice = run("log", "verify", "--address", otherAddress);
            assertEquals(HeraldCli.LOG_INCONSISTENCY, twice.exitCode(), twice.err());
            assertTrue(twice.err().contains("published again with another key"), twice.err());
        } finally {
            other.close();
        }
    }

    @Test
    void aMalformedOrBadlySignedCheckpointIsAVerificationFailure() throws Exception {
        events(10);
        LogFixture.View view = log.publish();
        log.override("checkpoint", view.checkpoint().replace("\n\n", "\n"));
        CliRun malformed = verify();
        assertEquals(HeraldCli.VERIFICATION, malformed.exitCode(), malformed.err());

        KeyPair other = Ed25519Keys.generate();
        NoteSigner impostor = NoteSigner.ed25519(LogFixture.ORIGIN, other.getPrivate(), other.getPublic());
        Hash root = dev.herald.tlog.Checkpoint.parse(SignedNote.parse(view.checkpoint()).text()).root();
        log.override("checkpoint", SignedNote.sign(Checkpoint.of(LogFixture.ORIGIN, 10, root).body(), impostor).encode());
        CliRun unsigned = verify();
        assertEquals(HeraldCli.VERIFICATION, unsigned.exitCode(), unsigned.err());
        assertTrue(unsigned.err().contains("no known key signed"), unsigned.err());

        // The right key, given out of band, against a server whose log/key says otherwise.
        log.publish();
        CliRun given = run("log", "verify", "--address", address, "--log-key", impostor.verifier().vkey());
        assertEquals(HeraldCli.VERIFICATION, given.exitCode(), given.err());
        assertFalse(Files.exists(hookOut), "no inconsistency, no hook");
    }

    @Test
    void watchPrintsTheServicesLeavesAndFlagsAnUnexpectedEntity() throws Exception {
        log.publish("payments", "web-1", 1, KEY_A, "entity-owner");
        log.publish("other", "x-1", 1, KEY_B, "entity-x");
        log.rotate("payments", "web-1", 2, KEY_B, "entity-thief");
        log.publish();
        Path key = temp.resolve("a.pem");
        Files.writeString(key, dev.herald.client.Pem.encode("PUBLIC KEY", KEY_A.getEncoded()));
        Path unexpected = temp.resolve("unexpected");
        CliRun run = run("log", "watch", "payments", "--once", "--address", address, "--state", state.toString(),
                "--expect-entity", "entity-owner", "--expect-key", key.toString(),
                "--hook", "printf '%s' \"$HERALD_LOG_LEAF\" > " + unexpected);
        assertEquals(HeraldCli.OK, run.exitCode(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(2, lines.size(), run.out());
        assertTrue(lines.get(0).contains("\"index\":0") && lines.get(0).contains("\"type\":\"publish\""), lines.get(0));
        assertTrue(lines.get(1).contains("\"index\":2") && lines.get(1).contains("entity-thief"), lines.get(1));
        assertTrue(run.err().contains("unexpected: rotate by entity entity-thief, of key"), run.err());
        assertFalse(run.err().contains("entity-owner"), "the owner's own publication is expected: " + run.err());
        assertEquals(lines.get(1), Files.readString(unexpected));

        // The next run prints only what is new.
        log.publish("payments", "web-2", 1, KEY_A, "entity-owner");
        log.publish();
        CliRun again = run("log", "watch", "payments", "--once", "--address", address, "--state", state.toString(),
                "--expect-entity", "entity-owner");
        assertEquals(HeraldCli.OK, again.exitCode(), again.err());
        assertEquals(1, again.out().lines().count(), again.out());
        assertTrue(again.out().contains("\"index\":3"), again.out());
        assertFalse(again.err().contains("unexpected"), again.err());
    }

    @Test
    void watchExitsFiveOnAFork() {
        events(20);
        log.publish();
        assertEquals(HeraldCli.OK, run("log", "watch", "svc-1", "--once", "--address", address, "--state", state.toString()).exitCode());
        LogFixture fork = log.sameKey();
        for (int i = 0; i < 20; i++) {
            fork.publish("svc-9", "pod-" + i, 1, KEY_A, "entity-1");
        }
        log.serve(fork.publish());
        CliRun run = run("log", "watch", "svc-1", "--once", "--address", address, "--state", state.toString());
        assertEquals(HeraldCli.LOG_INCONSISTENCY, run.exitCode(), run.err());
    }

    private static CliRun run(String... args) {
        return CliRun.run(args);
    }
}
