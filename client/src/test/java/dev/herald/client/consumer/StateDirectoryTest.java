package dev.herald.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.VerificationException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirectoryTest {
    @TempDir
    Path temp;

    @Test
    void createsAnOwnerOnlyDirectoryAndFiles() throws IOException {
        Path dir = temp.resolve("a/state");
        StateDirectory state = StateDirectory.open(dir);
        state.acceptSeq("herald/", "payments", 3);
        state.pinFirst(SignerKeys.fromJwks(TestSigner.jwks(TestSigner.ed25519())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        for (String file : List.of(StateDirectory.SEQ, StateDirectory.SIGNER_KEYS, StateDirectory.LOCK)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(file))), file);
        }
        try (var listing = Files.list(dir)) {
            assertEquals(3, listing.count(), "no temporary files left behind");
        }
    }

    @Test
    void firstPinWinsAndFollowedKeysAreAdded() {
        StateDirectory state = StateDirectory.open(temp);
        assertTrue(state.signerKeys().isEmpty());
        TestSigner first = TestSigner.ed25519();
        TestSigner impostor = TestSigner.ed25519();
        SignerKeys pinned = SignerKeys.fromJwks(TestSigner.jwks(first));
        assertEquals(pinned, state.pinFirst(pinned));
        // another process's later first use does not replace what is pinned
        assertEquals(pinned, StateDirectory.open(temp).pinFirst(SignerKeys.fromJwks(TestSigner.jwks(impostor))));
        assertEquals(pinned, state.signerKeys().orElseThrow());

        TestSigner second = TestSigner.es256();
        SignerKeys followed = pinned.follow(List.of(second.signerEntry(first, Records.NOW)));
        assertEquals(followed, state.addSignerKeys(followed));
        assertEquals(followed, StateDirectory.open(temp).signerKeys().orElseThrow(), "read back from the file");
    }

    @Test
    void refusesARollbackAndRecordsHigherSeqs() {
        StateDirectory state = StateDirectory.open(temp);
        assertEquals(OptionalLong.empty(), state.highestSeq("herald/", "payments"));
        state.acceptSeq("herald/", "payments", 7);
        state.acceptSeq("herald/", "payments", 7);
        VerificationException e = assertThrows(VerificationException.class, () -> state.acceptSeq("herald/", "payments", 4));
        assertTrue(e.getMessage().startsWith("rollback: seq 4 is lower than 7 already seen"), e.getMessage());
        state.acceptSeq("herald/", "payments", 9);
        // per issuer and service
        state.acceptSeq("other/", "payments", 1);
        state.acceptSeq("herald/", "orders", 2);
        StateDirectory again = StateDirectory.open(temp);
        assertEquals(OptionalLong.of(9), again.highestSeq("herald/", "payments"));
        assertEquals(OptionalLong.of(1), again.highestSeq("other/", "payments"));
        assertEquals(OptionalLong.of(2), again.highestSeq("herald/", "orders"));
    }

    @Test
    void refusesCorruptFilesWithTheirName() throws IOException {
        StateDirectory state = StateDirectory.open(temp);
        Files.writeString(temp.resolve(StateDirectory.SEQ), "{\"seq\": {\"herald/\": {\"payments\": \"x\"}}}");
        VerificationException seq = assertThrows(VerificationException.class, () -> state.acceptSeq("herald/", "payments", 1));
        assertTrue(seq.getMessage().contains(StateDirectory.SEQ) && seq.getMessage().contains("not an integer"), seq.getMessage());
        Files.writeString(temp.resolve(StateDirectory.SEQ), "{not json");
        assertThrows(VerificationException.class, () -> state.highestSeq("herald/", "payments"));
        Files.writeString(temp.resolve(StateDirectory.SIGNER_KEYS), "{\"keys\": []}");
        VerificationException keys = assertThrows(VerificationException.class, state::signerKeys);
        assertTrue(keys.getMessage().contains(StateDirectory.SIGNER_KEYS) && keys.getMessage().contains("has no keys"),
                keys.getMessage());
    }

    @Test
    void concurrentWritersNeverLowerTheStoredSeq() throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            // a reader: what it sees must never go down
            Future<Long> reader = pool.submit(() -> {
                StateDirectory state = StateDirectory.open(temp);
                long last = -1;
                while (writing.get()) {
                    long now = state.highestSeq("herald/", "payments").orElse(-1);
                    if (now < last) {
                        throw new AssertionError("seq went down from " + last + " to " + now);
                    }
                    last = now;
                }
                return last;
            });
            List<Future<Long>> writers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                long seed = i;
                writers.add(pool.submit((Callable<Long>) () -> offerRandomSeqs(temp, 150, seed)));
            }
            long highestOffered = 0;
            for (Future<Long> writer : writers) {
                highestOffered = Math.max(highestOffered, writer.get(20, TimeUnit.SECONDS));
            }
            writing.set(false);
            reader.get(5, TimeUnit.SECONDS);
            assertEquals(OptionalLong.of(highestOffered), StateDirectory.open(temp).highestSeq("herald/", "payments"),
                    "a lost update would have kept a lower value");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSecondProcessSharesTheDirectorySafely() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                SeqWriter.class.getName(), temp.toString(), "400", "99")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
            assertEquals("started", out.readLine()); // so that both write at the same time, not one after the other
            long ours = offerRandomSeqs(temp, 400, 7);
            long theirs = Long.parseLong(out.readLine());
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child process did not finish");
            assertEquals(0, child.exitValue());
            assertEquals(OptionalLong.of(Math.max(ours, theirs)), StateDirectory.open(temp).highestSeq("herald/", "payments"));
        } finally {
            child.destroy();
        }
    }

    /**
     * Offers {@code count} rising seqs with noise (some lower than what is stored, which must be refused) and
     * checks after each accepted one that the stored value is at least it.
     *
     * @return the highest seq offered
     */
    static long offerRandomSeqs(Path dir, int count, long seed) {
        StateDirectory state = StateDirectory.open(dir);
        SplittableRandom random = new SplittableRandom(seed);
        long highest = 0;
        for (int i = 0; i < count; i++) {
            // rising, with noise: the writers keep overtaking one another, so each write races the others
            long seq = 4L * i + random.nextLong(1, 9);
            highest = Math.max(highest, seq);
            try {
                state.acceptSeq("herald/", "payments", seq);
                if (state.highestSeq("herald/", "payments").orElseThrow() < seq) {
                    throw new AssertionError("accepted " + seq + " but the file holds less");
                }
            } catch (VerificationException rollback) {
                if (!rollback.getMessage().startsWith("rollback: seq " + seq + " is lower than")) {
                    throw rollback;
                }
            }
        }
        return highest;
    }

    /** The second process: offers seqs like the test does and prints the highest it offered. */
    static final class SeqWriter {
        public static void main(String[] args) {
            System.out.println("started");
            System.out.println(offerRandomSeqs(Path.of(args[0]), Integer.parseInt(args[1]), Long.parseLong(args[2])));
        }
    }
}
