package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Timeout;

/**
 * What issue 14 says must be shown of the verifiable log, on both servers (docs/design-log.md
 * §10.2; each test names its item): the log of a thousand publications verifies with Herald's own
 * client and with an independent one (golang.org/x/mod's sumdb/tlog and sumdb/note), and storage
 * changed behind the engine's back (through {@code sys/raw}: a log rolled back so that the engine
 * signs a second tree of a size already seen, a byte of an entry rewritten) is a log
 * inconsistency: the client's exit code 5, with the evidence kept and the hook run.
 */
@Timeout(600)
class LogTransparencyTest {

    /**
     * §10.2 item 1: 1,000 publications, rotations, lease ends and revocations over 60 services (15
     * instances each, so that a record lists few enough publications to carry its proofs).
     */
    @OnEachServer
    void item1_aThousandChangesVerifyWithHeraldAndWithTheGoTlogClient(Herald herald, ServerKind kind) throws Exception {
        LogLoad load = new LogLoad(herald, "log-thousand");
        List<LogLoad.Published> firsts = load.publishAll(LogLoad.targets("svc", 60, 0, 900));
        // In services 0 to 49, i-0 rotated; in 0 to 24 the lease of i-1 ended, in 25 to 49 i-1 revoked.
        List<LogLoad.Published> rotated = load.rotateAll(firsts.subList(0, 50));
        load.endLeases(firsts.subList(60, 85));
        load.revoke(firsts.subList(85, 110));
        String checkpoint = load.awaitSize(1000);

        List<LogLoad.Published> acknowledged = new ArrayList<>(firsts);
        acknowledged.addAll(rotated);
        Set<Long> indices = new HashSet<>();
        for (LogLoad.Published p : acknowledged) {
            assertTrue(p.logIndex() >= 0 && p.logIndex() < 1000, "each acknowledged leaf is in the checkpoint: " + p);
            assertTrue(indices.add(p.logIndex()), "one leaf per publication: " + p);
        }

        LogCommands cli = new LogCommands(load.server, load.mount, Project.outputDir().resolve("log-thousand").resolve(kind.cli()));
        CliResult verified = cli.herald("log-verify", "log", "verify", "--from-scratch", "--state", cli.dir().resolve("state").toString());
        assertEquals(0, verified.exitCode(), verified::toString);
        assertTrue(verified.stderr().contains(": 1000 entries verified (1000 read now)"), verified::toString);

        // A service's owner sees every change of it, of each kind, in order.
        CliResult watched = cli.herald("watch-svc-0", "log", "watch", "svc-0", "--once");
        assertEquals(0, watched.exitCode(), watched::toString);
        assertEquals(types("publish", 15, "rotate", "lease_end"), watchedTypes(watched), watched::toString);
        CliResult watchedRevoked = cli.herald("watch-svc-25", "log", "watch", "svc-25", "--once");
        assertEquals(0, watchedRevoked.exitCode(), watchedRevoked::toString);
        assertEquals(types("publish", 15, "rotate", "revoke"), watchedTypes(watchedRevoked), watchedRevoked::toString);

        // A consumer checks each listed key's leaf (the proofs beside the record) against the record's checkpoint:
        // svc-0 lists i-0 twice (the rotation's overlap), svc-25 no longer lists its revoked i-1.
        // Saved, each record's proofs check offline against the log key (herald verify RECORD_FILE --log-key).
        String consumer = cli.dir().resolve("consumer").toString();
        Path jwks = cli.dir().resolve("jwks.json");
        cli.herald("jwks", "jwks", "--out", jwks.toString()).assertSuccess();
        String vkey = load.server.httpWithoutToken("GET", load.mount + "/log/key").assertStatus(200).body().lines().findFirst().orElseThrow();
        for (String service : List.of("svc-0", "svc-25")) {
            CliResult discovered = cli.heraldWithToken("discover-" + service, "discover", service, "--state", consumer);
            assertEquals(0, discovered.exitCode(), discovered::toString);
            Map<String, Object> saved = Json.parseObject(discovered.stdout());
            assertEquals(checkpoint, saved.get("log_checkpoint"), discovered::toString);
            // 14 instances listed (one ended), i-0 in two generations: 15 publications, each with its proof.
            assertEquals(14, ((Map<?, ?>) saved.get("log_proofs")).size(), discovered::toString);
            Path file = cli.dir().resolve(service + ".json");
            Files.writeString(file, discovered.stdout());
            CliResult offline = cli.heraldOffline("verify-" + service, "verify", file.toString(), "--jwks", jwks.toString(),
                    "--mount", load.mount, "--log-key", vkey);
            assertEquals(0, offline.exitCode(), offline::toString);
        }
        // A saved record whose proofs were swapped between two instances: neither proof is of its instance's
        // log_index, and offline no other can be read: refused (3, unverifiable; unsigned proofs prove no fork).
        Map<String, Object> saved = Json.parseObject(Files.readString(cli.dir().resolve("svc-25.json")));
        @SuppressWarnings("unchecked")
        Map<String, Object> proofs = (Map<String, Object>) saved.get("log_proofs");
        Object third = proofs.get("i-3");
        proofs.put("i-3", proofs.get("i-4"));
        proofs.put("i-4", third);
        Path swapped = cli.dir().resolve("svc-25-swapped.json");
        Files.writeString(swapped, Json.write(saved));
        CliResult refused = cli.heraldOffline("verify-swapped", "verify", swapped.toString(), "--jwks", jwks.toString(),
                "--mount", load.mount, "--log-key", vkey);
        assertEquals(3, refused.exitCode(), refused::toString);
        assertTrue(refused.stderr().contains("lacks what an offline check needs"), refused::toString);

        CliResult go = cli.tlogcheck(100, 10);
        assertEquals(0, go.exitCode(), go::toString);
        String origin = checkpoint.split("\n")[0];
        assertTrue(go.stdout().contains("checkpoint: " + origin + ", size 1000, root " + checkpoint.split("\n")[2]), go::toString);
        // Four tiles of level 0 (three full, one partial) and the partial tile above them.
        assertTrue(go.stdout().contains("tiles: 5 tiles and 4 bundles verified"), go::toString);
        assertTrue(go.stdout().contains("proofs: 100 inclusion (tlog-proof) and 10 consistency proofs verified"), go::toString);
    }

    /**
     * §10.2 item 2: storage rolled back from size n to n − k behind the engine's back (the head and
     * the newer batch records, through {@code sys/raw}) and the plugin reloaded; k other
     * publications make the engine sign a second checkpoint of size n. A client that had verified
     * the first one refuses with exit code 5 and hands both to its hook.
     */
    @OnEachServer
    void item2_aForkedViewMadeInStorageIsExitCode5WithBothCheckpointsInTheEvidence(Herald herald, ServerKind kind) throws Exception {
        LogLoad load = new LogLoad(herald, "log-fork");
        RawStorage raw = RawStorage.of(load.server, load.mount);
        load.publishAll(LogLoad.targets("a", 5, 0, 30));
        assertEquals(30, load.size());
        // Below 256 leaves, the tree is its head and its batch records: no full tile, no partial tile above level 0.
        assertEquals(List.of(), raw.list("log/partial/"));
        assertEquals(List.of(), raw.list("log/tile/"));
        byte[] headAt30 = raw.read("log/checkpoint");

        load.publishAll(LogLoad.targets("b", 1, 0, 10));
        String honest = load.awaitSize(40);
        LogCommands cli = new LogCommands(load.server, load.mount, Project.outputDir().resolve("log-fork").resolve(kind.cli()));
        String state = cli.dir().resolve("state").toString();
        CliResult pinned = cli.herald("verify-honest", "log", "verify", "--state", state);
        assertEquals(0, pinned.exitCode(), pinned::toString);
        assertTrue(pinned.stderr().contains(": 40 entries verified"), pinned::toString);
        CliResult discovered = cli.heraldWithToken("discover-honest", "discover", "a-0", "--state", state);
        assertEquals(0, discovered.exitCode(), discovered::toString);
        assertEquals(honest, Json.parseObject(discovered.stdout()).get("log_checkpoint"), discovered::toString);

        // The rollback: the head of size 30 put back, the records of the batches after it deleted.
        raw.put("log/checkpoint", headAt30);
        List<String> newer = new ArrayList<>();
        for (String slot : raw.list("log/record/")) {
            Number start = (Number) Json.parseObject(new String(raw.read("log/record/" + slot), StandardCharsets.UTF_8)).get("start");
            if (start.longValue() >= 30) {
                newer.add(slot);
            }
        }
        assertFalse(newer.isEmpty(), "the publications after size 30 left batch records");
        newer.forEach(slot -> raw.delete("log/record/" + slot));
        load.reloadPlugin();
        assertEquals(30, load.size(), "the engine continues from the tree storage now holds");

        load.publishAll(LogLoad.targets("c", 1, 0, 10));
        String forked = load.awaitSize(40);
        assertEquals(honest.split("\n")[0], forked.split("\n")[0], "the same log");
        assertNotEquals(honest.split("\n")[2], forked.split("\n")[2], "a second tree of size 40");

        Path hookOutput = cli.dir().resolve("hook-evidence");
        CliResult refused = cli.herald("verify-forked", "log", "verify", "--state", state,
                "--log-hook", "printf %s \"$HERALD_LOG_EVIDENCE\" > '" + hookOutput + "'");
        assertEquals(5, refused.exitCode(), refused::toString);
        assertTrue(refused.stderr().contains("LOG INCONSISTENCY") && refused.stderr().contains("different roots for size 40"),
                refused::toString);
        assertTrue(Files.isRegularFile(hookOutput), () -> "the hook ran: " + refused);
        Path evidence = Path.of(Files.readString(hookOutput));
        assertTrue(evidence.startsWith(Path.of(state)), "the evidence is kept in the state: " + evidence);
        assertEquals(honest, Files.readString(evidence.resolve("stored-checkpoint")), "the checkpoint verified before");
        assertEquals(forked, Files.readString(evidence.resolve("checkpoint")), "the one that contradicts it");

        // The client keeps its first view: a second run refuses again, and so does a consumer of a service
        // none of whose publications changed (its record now carries the forked checkpoint).
        CliResult again = cli.herald("verify-forked-again", "log", "verify", "--state", state);
        assertEquals(5, again.exitCode(), again::toString);
        CliResult refusedRecord = cli.heraldWithToken("discover-forked", "discover", "a-0", "--state", state);
        assertEquals(5, refusedRecord.exitCode(), refusedRecord::toString);
        assertTrue(refusedRecord.stderr().contains("LOG INCONSISTENCY: fork"), refusedRecord::toString);
    }

    /**
     * §10.2 item 4: an instance entry rewritten through {@code sys/raw} so that its publication's
     * {@code log_index} names another leaf (another instance's publication). The engine, reloaded,
     * signs a record listing it with that index and the leaf's proof; a consumer that pinned the
     * log refuses it with exit code 5. With an index beyond the tree the engine itself signs no
     * record (503): it never claims a leaf its checkpoint does not hold.
     */
    @OnEachServer
    void item4_aRecordWhoseInstanceIsNotInTheLogIsExitCode5(Herald herald, ServerKind kind) throws Exception {
        LogLoad load = new LogLoad(herald, "log-index");
        RawStorage raw = RawStorage.of(load.server, load.mount);
        List<LogLoad.Published> published = load.publishAll(LogLoad.targets("d", 2, 0, 6));
        String checkpoint = load.awaitSize(6);
        LogCommands cli = new LogCommands(load.server, load.mount, Project.outputDir().resolve("log-index").resolve(kind.cli()));
        String state = cli.dir().resolve("state").toString();
        CliResult pinned = cli.heraldWithToken("discover-honest", "discover", "d-0", "--state", state);
        assertEquals(0, pinned.exitCode(), pinned::toString);
        assertEquals(checkpoint, Json.parseObject(pinned.stdout()).get("log_checkpoint"), pinned::toString);

        // Another service's publication after them: a plugin that starts writes the last batch's entries
        // again (its second write may have been cut short), which would undo a change made to one of them.
        load.publish(new LogLoad.Target("e-0", "i-0"));

        // d-0/i-0 claims the leaf of d-1/i-0's publication.
        LogLoad.Published victim = published.get(0);
        LogLoad.Published other = published.get(1);
        assertEquals(List.of("d-0", "d-1"), List.of(victim.service(), other.service()));
        String key = "instances/d-0/i-0";
        String entry = raw.readText(key);
        String rewritten = withLogIndex(entry, victim.logIndex(), other.logIndex());
        raw.put(key, rewritten.getBytes(StandardCharsets.UTF_8));
        load.reloadPlugin();
        Path hookOutput = cli.dir().resolve("hook-evidence");
        CliResult refused = cli.heraldWithToken("discover-other-leaf", "discover", "d-0", "--state", state,
                "--log-hook", "printf %s \"$HERALD_LOG_EVIDENCE\" > '" + hookOutput + "'");
        assertEquals(5, refused.exitCode(), refused::toString);
        assertTrue(refused.stderr().contains("LOG INCONSISTENCY"), refused::toString);
        Path evidence = Path.of(Files.readString(hookOutput));
        assertTrue(Files.readString(evidence.resolve("leaf")).contains("\"service\":\"d-1\""),
                "the evidence holds the leaf the record pointed at");

        // An index beyond the tree: no record is signed at all.
        raw.put(key, withLogIndex(entry, victim.logIndex(), 1000).getBytes(StandardCharsets.UTF_8));
        load.reloadPlugin();
        HttpResult beyond = load.server.http("GET", load.mount + "/discover/d-0", null);
        assertEquals(503, beyond.status(), beyond::toString);
        assertTrue(beyond.errors().contains("does not yet hold leaf 1000"), beyond::toString);
        CliResult unanswered = cli.heraldWithToken("discover-beyond", "discover", "d-0", "--state", state);
        assertNotEquals(0, unanswered.exitCode(), unanswered::toString);
        assertNotEquals(5, unanswered.exitCode(), "nothing signed contradicts the log: " + unanswered);
    }

    /** {@code entry} (an instance entry's JSON) with its one publication's log_index {@code from} changed to {@code to}. */
    private static String withLogIndex(String entry, long from, long to) {
        String was = "\"log_index\":" + from;
        assertEquals(1, entry.split(java.util.regex.Pattern.quote(was), -1).length - 1, () -> "one " + was + " in " + entry);
        return entry.replace(was, "\"log_index\":" + to);
    }

    /**
     * §10.2 item 3: one byte of a stored full entry bundle changed through {@code sys/raw} (a leaf
     * that still parses, with another fingerprint). Replaying the log from scratch exits 5, and so does
     * the next round of a watcher that had read the entry while its bundle was still partial.
     */
    @OnEachServer
    void item3_aRewrittenEntryIsExitCode5ForVerifyAndForAWatcherThatReadItBefore(Herald herald, ServerKind kind) throws Exception {
        LogLoad load = new LogLoad(herald, "log-rewrite");
        RawStorage raw = RawStorage.of(load.server, load.mount);
        load.publishAll(LogLoad.targets("r", 10, 0, 300));
        load.awaitSize(300);
        LogCommands cli = new LogCommands(load.server, load.mount, Project.outputDir().resolve("log-rewrite").resolve(kind.cli()));
        String watcher = cli.dir().resolve("watcher").toString();
        CliResult read = cli.herald("watch-before", "log", "watch", "r-4", "--once", "--state", watcher);
        assertEquals(0, read.exitCode(), read::toString);
        assertEquals(30, read.stdout().lines().count(), read::toString);

        load.publishAll(LogLoad.targets("r", 10, 30, 220));
        load.awaitSize(520);
        String bundleKey = "log/bundle/" + String.format("%016d", 1);
        byte[] bundle = raw.read(bundleKey);
        assertArrayEquals(bundle, load.tile("tile/entries/001"), "storage holds the served bundle");
        byte[] rewritten = rewriteFingerprint(bundle, 4); // leaf 260: read by the watcher
        raw.put(bundleKey, rewritten);
        load.reloadPlugin();
        assertArrayEquals(rewritten, load.tile("tile/entries/001"), "the engine serves what storage holds");

        CliResult verified = cli.herald("verify-from-scratch", "log", "verify", "--from-scratch",
                "--state", cli.dir().resolve("verifier").toString());
        assertEquals(5, verified.exitCode(), verified::toString);
        assertTrue(verified.stderr().contains("rewrite: leaf 260"), verified::toString);

        CliResult watched = cli.herald("watch-after", "log", "watch", "r-4", "--once", "--state", watcher);
        assertEquals(5, watched.exitCode(), watched::toString);
        assertTrue(watched.stderr().contains("rewrite: leaf 260"), watched::toString);
    }

    /**
     * §10.2 item 5, the crash window of design-log §2.4 made exactly: a publication's batch record is
     * stored but neither its checkpoint nor its entries are (the head put back, its instance and
     * history entries deleted through {@code sys/raw}), and the plugin is killed. The restarted
     * plugin rolls the batch forward before it answers: the first read already lists the
     * publication under a checkpoint that holds its leaf, and the log replays.
     */
    @OnEachServer
    void item5_aBatchStoredWithoutItsCheckpointIsRolledForwardBeforeTheFirstRead(Herald herald, ServerKind kind) throws Exception {
        LogLoad load = new LogLoad(herald, "log-rollforward");
        RawStorage raw = RawStorage.of(load.server, load.mount);
        for (LogLoad.Target target : LogLoad.targets("e", 1, 0, 3)) {
            load.publish(target);
        }
        byte[] headAt3 = raw.read("log/checkpoint");
        LogLoad.Published last = load.publish(new LogLoad.Target("e-0", "i-3"));
        assertEquals(3, last.logIndex());
        String checkpoint = load.awaitSize(4);

        // As storage is when the plugin dies after the batch record and before its second write.
        assertTrue(raw.list("log/record/").contains(String.format("%03d", 3)), "the record of the last batch, in slot 3");
        raw.put("log/checkpoint", headAt3);
        raw.delete("instances/e-0/i-3");
        raw.delete("history/e-0/" + String.format("%012d", 3));
        ProcessHandle plugin = herald.pluginProcess();
        plugin.destroyForcibly();
        assertTrue(DevServer.await(java.time.Duration.ofSeconds(10), () -> !plugin.isAlive()));

        HttpResult discovered = load.server.http("GET", load.mount + "/discover/e-0/i-3", null);
        if (discovered.status() != 200) {
            // Tell "never rolled forward" from "rolled forward only by the next write" in the failure.
            load.publish(new LogLoad.Target("e-1", "i-0"));
            HttpResult afterWrite = load.server.http("GET", load.mount + "/discover/e-0/i-3", null);
            throw new AssertionError("the first read after the restart does not list the publication whose batch record"
                    + " is stored: " + discovered + "; after one more publication (another service) it answers " + afterWrite.status());
        }
        assertEquals(checkpoint, discovered.data().get("log_checkpoint"), "the same checkpoint, signed again");
        assertEquals(checkpoint, load.checkpoint());
        LogCommands cli = new LogCommands(load.server, load.mount, Project.outputDir().resolve("log-rollforward").resolve(kind.cli()));
        CliResult verified = cli.herald("log-verify", "log", "verify", "--from-scratch");
        assertEquals(0, verified.exitCode(), verified::toString);
    }

    /**
     * A copy of {@code bundle} (uint16-length-prefixed leaves) in which entry {@code entry} has the
     * first hex digit of its fingerprint changed: one byte, and still a canonical leaf.
     */
    private static byte[] rewriteFingerprint(byte[] bundle, int entry) {
        ByteBuffer buffer = ByteBuffer.wrap(bundle);
        for (int i = 0; i < entry; i++) {
            int skipped = Short.toUnsignedInt(buffer.getShort());
            buffer.position(buffer.position() + skipped);
        }
        int length = Short.toUnsignedInt(buffer.getShort());
        int start = buffer.position();
        String leaf = new String(bundle, start, length, StandardCharsets.UTF_8);
        int at = leaf.indexOf("\"fingerprint\":\"sha256:");
        assertTrue(at >= 0, leaf);
        int offset = start + at + "\"fingerprint\":\"sha256:".length();
        byte[] copy = Arrays.copyOf(bundle, bundle.length);
        copy[offset] = (byte) (copy[offset] == 'a' ? 'b' : 'a');
        return copy;
    }

    /** {@code type} repeated {@code count} times, then the others once each. */
    private static List<String> types(String type, int count, String... then) {
        List<String> types = new ArrayList<>(java.util.Collections.nCopies(count, type));
        types.addAll(List.of(then));
        return types;
    }

    /** The {@code type} of each JSON line {@code herald log watch} printed. */
    private static List<String> watchedTypes(CliResult watched) {
        return watched.stdout().lines().map(line -> String.valueOf(Json.parseObject(line).get("type"))).toList();
    }
}
