package dev.herald.engine;

import dev.herald.sdk.Caller;
import dev.herald.sdk.Entity;
import dev.herald.sdk.Operation;
import dev.herald.sdk.Request;
import dev.herald.sdk.Response;
import dev.herald.sdk.VaultException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.herald.engine.PublishingFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ack/:service (docs/design-ack.md §6.1): who may acknowledge what, and what it changes. */
class AckPathTest {
    private static final Entity READER = new Entity("c1", "reader", Map.of(), List.of(new Entity.Alias("a9", "auth_jwt_2",
            "jwt", "system:serviceaccount:prod:reader", Map.of())), false);
    private static final Entity OTHER = new Entity("c2", "other", Map.of(), List.of(), false);
    private static final Entity DISABLED = new Entity("c3", "gone", Map.of(), List.of(), true);
    private static final Caller READER_CALLER = new Caller("c1", "tok-r", "jwt-reader", "127.0.0.1");
    private static final String SESSION = "0123456789abcdef0123456789abcdef";

    private final PublishingFixture mount = new PublishingFixture(Map.of("e1", PublishingFixture.POD, "c1", READER,
            "c2", OTHER, "c3", DISABLED));

    private Map<String, Object> served() {
        mount.publish(mount.body(mount.first));
        return mount.discover();
    }

    private static long seq(Map<String, Object> answer) {
        return ((Number) answer.get("seq")).longValue();
    }

    private static String token(Map<String, Object> answer) {
        return (String) ((Map<?, ?>) answer.get("ack")).get("token");
    }

    private Response ack(Caller caller, Map<String, Object> body) {
        return mount.engine.backend.handle(new Request("r", Operation.UPDATE, "ack/web", body, caller,
                EngineFixture.MOUNT, null));
    }

    private Response leave(Caller caller, String session) {
        return mount.engine.backend.handle(new Request("r", Operation.DELETE, "ack/web", Map.of("session", session), caller,
                EngineFixture.MOUNT, null));
    }

    private static Map<String, Object> body(long seq, String token, String session) {
        Map<String, Object> body = new HashMap<>();
        body.put("seq", seq);
        body.put("ack_token", token);
        body.put("session", session);
        return body;
    }

    @Test
    void aConsumerAcknowledgesTheSeqItWasServedAndCountsForConsumerTtl() {
        Map<String, Object> answer = served();
        Map<String, Object> acked = ack(READER_CALLER, body(seq(answer), token(answer), SESSION)).data();
        assertEquals("web", acked.get("service"));
        assertEquals("c1", acked.get("entity_id"), "the entity of the token, not a name the body chose");
        assertEquals(seq(answer), ((Number) acked.get("seq")).longValue());
        long at = ((Number) acked.get("acked_at")).longValue();
        assertEquals(at + 7200, ((Number) acked.get("counted_until")).longValue());
        assertEquals(1800L, ((Number) acked.get("heartbeat_seconds")).longValue());
        ConsumerEntry stored = ConsumerEntry.decode("web",
                mount.engine.storage.get("consumers/web/c1." + SESSION).orElseThrow());
        assertEquals(List.of(new ConsumerEntry.Alias("auth_jwt_2", "system:serviceaccount:prod:reader")), stored.aliases());

        mount.engine.clock.advance(Duration.ofMinutes(30));
        Map<String, Object> heartbeat = ack(READER_CALLER, body(seq(answer), token(answer), SESSION)).data();
        assertEquals(at + 1800, ((Number) heartbeat.get("acked_at")).longValue(), "the same seq again: a heartbeat");
        ConsumerEntry after = ConsumerEntry.decode("web", mount.engine.storage.get("consumers/web/c1." + SESSION).orElseThrow());
        assertEquals(stored.seqSince(), after.seqSince(), "it has had this seq since its first acknowledgement");
        assertEquals(stored.firstSeen(), after.firstSeen());
    }

    @Test
    void aSeqThatWasNeverServedIsRefused() {
        Map<String, Object> answer = served();
        long seq = seq(answer);
        String token = token(answer);
        assertStatus(403, "seq " + (seq + 1) + " of service web was not served with this ack_token",
                () -> ack(READER_CALLER, body(seq + 1, token, SESSION)));
        assertStatus(403, "was not served", () -> mount.engine.backend.handle(new Request("r", Operation.UPDATE,
                "ack/api", body(seq, token, SESSION), READER_CALLER, EngineFixture.MOUNT, null)));
        assertStatus(403, "was not served", () -> ack(READER_CALLER, body(seq, "AAAAAAAAAAAAAAAAAAAAAA", SESSION)));
        assertFalse(mount.engine.storage.keys().stream().anyMatch(k -> k.startsWith("consumers/")), "nothing stored");
    }

    @Test
    void onlyAnIdentityEntityThatIsEnabledMayAcknowledge() {
        Map<String, Object> answer = served();
        Map<String, Object> body = body(seq(answer), token(answer), SESSION);
        assertStatus(403, "needs an identity entity", () -> ack(Caller.NONE, body));
        assertStatus(403, "unknown to the server", () -> ack(new Caller("nobody", "t", "x", "127.0.0.1"), body));
        assertStatus(403, "is disabled", () -> ack(new Caller("c3", "t", "x", "127.0.0.1"), body));
    }

    @Test
    void acknowledgementsNeverGoDown() {
        Map<String, Object> first = served();
        long later = seq(first) + 3;
        // The token the engine hands out with seq + 3 once a discover answer is made at it.
        String laterToken = new AckTokens(mount.engine.storage, mount.engine.clock).token("web", later);
        ack(READER_CALLER, body(later, laterToken, SESSION));
        assertStatus(409, "seq " + seq(first) + " is lower than seq " + later,
                () -> ack(READER_CALLER, body(seq(first), token(first), SESSION)));
        assertEquals(later, ConsumerEntry.decode("web",
                mount.engine.storage.get("consumers/web/c1." + SESSION).orElseThrow()).seq(), "unchanged by the refusal");
    }

    @Test
    void badFieldsAre400sNamingThem() {
        Map<String, Object> answer = served();
        assertStatus(400, "missing seq", () -> ack(READER_CALLER, Map.of("ack_token", token(answer), "session", SESSION)));
        assertStatus(400, "missing ack_token", () -> ack(READER_CALLER, Map.of("seq", 1L, "session", SESSION)));
        assertStatus(400, "missing session", () -> ack(READER_CALLER, Map.of("seq", 1L, "ack_token", token(answer))));
        assertStatus(400, "invalid session", () -> ack(READER_CALLER, body(seq(answer), token(answer), "ABC")));
        assertStatus(400, "invalid ack_token", () -> ack(READER_CALLER, body(seq(answer), "short", SESSION)));
        assertStatus(400, "invalid seq", () -> ack(READER_CALLER, body(0, token(answer), SESSION)));
        assertStatus(400, "unknown field", () -> {
            Map<String, Object> extra = body(seq(answer), token(answer), SESSION);
            extra.put("entity_id", "e1");
            return ack(READER_CALLER, extra);
        });
    }

    @Test
    void theBoundsOnSessionsAreEnforced() {
        mount.engine.send(Operation.UPDATE, "config", Map.of("max_consumers", 2L, "max_consumer_sessions", 1L));
        Map<String, Object> answer = served();
        ack(READER_CALLER, body(seq(answer), token(answer), SESSION));
        assertStatus(409, "max_consumer_sessions (1)", () -> ack(READER_CALLER,
                body(seq(answer), token(answer), "ffffffffffffffffffffffffffffffff")));
        ack(new Caller("c2", "t", "x", "127.0.0.1"), body(seq(answer), token(answer), SESSION));
        assertStatus(409, "max_consumers (2)", () -> ack(new Caller("e1", "t", "x", "127.0.0.1"),
                body(seq(answer), token(answer), SESSION)));
        ack(READER_CALLER, body(seq(answer), token(answer), SESSION)); // a heartbeat of a kept session is never refused
    }

    /** The first case, in the engine: a rotation completes at the last acknowledgement, not before. */
    @Test
    void aRotationWithACountedConsumerKeepsTheOldKeyUntilItAcknowledgesTheNewSeq() {
        Map<String, Object> first = served();
        ack(READER_CALLER, body(seq(first), token(first), SESSION));
        mount.engine.clock.advance(Duration.ofMinutes(31)); // past rotation_window 0.5 of 1h
        long t0 = mount.engine.clock.instant().getEpochSecond();
        TestKeys second = TestKeys.generate("ed25519");
        Map<String, Object> rotationBody = mount.body(second);
        rotationBody.put("continuity", mount.first.continuityFor(second, 1));
        Map<?, ?> rotation = (Map<?, ?>) mount.publish(rotationBody).data().get("rotation");
        assertEquals(true, rotation.get("counted"));
        long s = ((Number) rotation.get("awaiting_sequence")).longValue();
        assertEquals(seq(first) + 1, s);
        long oldEnd = t0 + 29 * 60; // the old publication's own end (published for 1h, 31 minutes before)
        assertEquals(oldEnd, ((Number) rotation.get("max_end")).longValue(), "max_overlap (6h) capped by its not_after");
        assertEquals(t0 + 600, ((Number) rotation.get("min_end")).longValue());
        assertEquals(oldEnd, ((Number) rotation.get("old_listed_until")).longValue(), "L = M while pending");

        mount.engine.clock.advance(Duration.ofMinutes(20)); // past min_overlap: without consumers it would have left
        Map<String, Object> pending = mount.discover();
        assertEquals(true, ((Map<?, ?>) pending.get("ack")).get("requested"), "a rotation awaits this seq");
        assertEquals(List.of(1L, 2L), generations(pending), "the old key is still listed");
        assertEquals(s, seq(pending));

        Map<String, Object> acked = ack(READER_CALLER, body(seq(pending), token(pending), SESSION)).data();
        assertEquals(List.of(Map.of("instance", "pod-1", "generation", 1L)), acked.get("completed"));
        assertEquals(0, ((Number) acked.get("pending")).intValue());
        Map<String, Object> after = mount.discover();
        assertEquals(s + 1, seq(after), "the completion is a change of the record");
        assertEquals(false, ((Map<?, ?>) after.get("ack")).get("requested"));
        // Acknowledged at C = t0 + 20m, past min_overlap: the publisher may present the new key from N = C,
        // and the old one stays listed for one record_ttl more, L = N + R, so that a publisher polling
        // rotation/ every R/4 has switched before it leaves.
        Map<?, ?> old = ((List<?>) after.get("instances")).stream().map(i -> (Map<?, ?>) i)
                .filter(i -> ((Number) i.get("generation")).longValue() == 1).findFirst().orElseThrow();
        assertEquals(t0 + 25 * 60, ((Number) old.get("not_after")).longValue(), "L = C + record_ttl, before M");
        mount.engine.clock.advance(Duration.ofMinutes(5));
        assertEquals(List.of(2L), generations(mount.discover()), "then it has left, 4 minutes before M");
        List<?> events = (List<?>) mount.engine.send(Operation.READ, "history/web", Map.of()).data().get("events");
        assertEquals(List.of("publish", "rotate", "rotation_end"), events.stream().map(e -> ((Map<?, ?>) e).get("type")).toList());

        Map<String, Object> latest = mount.discover();
        // The leaf of the rotation's end does not name the consumer that completed it.
        Map<String, Object> endEvent = (Map<String, Object>) events.getLast();
        assertEquals("c1", ((Map<?, ?>) endEvent.get("actor")).get("entity_id"), "history names it");
        long leafIndex = ((Number) endEvent.get("log_index")).longValue();
        String proof = new String(mount.engine.send(Operation.READ, "log/proof/inclusion", Map.of("index", leafIndex))
                .raw().orElseThrow().body(), java.nio.charset.StandardCharsets.UTF_8);
        String leaf = new String(java.util.Base64.getDecoder().decode(proof.lines().filter(l -> l.startsWith("extra "))
                .findFirst().orElseThrow().substring(6)), java.nio.charset.StandardCharsets.UTF_8);
        Map<String, Object> leafFields = dev.herald.sdk.json.Json.parseObject(leaf);
        assertEquals("rotation_end", leafFields.get("type"));
        assertEquals("", ((Map<?, ?>) leafFields.get("actor")).get("entity_id"), "no consumer identity in the public leaf");
        assertTrue(!leaf.contains(SESSION), leaf);
        Map<String, Object> again = ack(READER_CALLER, body(seq(latest), token(latest), SESSION)).data();
        assertEquals(List.of(), again.get("completed"), "completed once");
    }

    /** Rotates pod-1 to a new key 31 minutes on (past rotation_window 0.5 of 1h); returns the answer's rotation. */
    private Map<?, ?> rotate() {
        return (Map<?, ?>) rotated().data().get("rotation");
    }

    /** The same, the whole answer (with the new key's lease). */
    private Response rotated() {
        mount.engine.clock.advance(Duration.ofMinutes(31));
        TestKeys second = TestKeys.generate("ed25519");
        Map<String, Object> rotationBody = mount.body(second);
        rotationBody.put("continuity", mount.first.continuityFor(second, 1));
        return mount.publish(rotationBody);
    }

    private List<Map<?, ?>> events() {
        return ((List<?>) mount.engine.send(Operation.READ, "history/web", Map.of()).data().get("events")).stream()
                .<Map<?, ?>>map(e -> (Map<?, ?>) e).toList();
    }

    private void tick() {
        mount.engine.send(Operation.ROLLBACK, "", Map.of());
    }

    /** The second case, in the engine: a consumer that stops acknowledging holds the old key until M. */
    @Test
    void aConsumerThatNeverAcknowledgesHoldsTheOldKeyUntilMaxOverlapAndTheForcedEndNamesIt() {
        mount.engine.send(Operation.UPDATE, "config", Map.of("consumer_ttl", "2h"));
        Map<String, Object> first = served();
        ack(READER_CALLER, body(seq(first), token(first), SESSION));
        Map<?, ?> rotation = rotate();
        long m = ((Number) rotation.get("max_end")).longValue();
        tick();
        assertEquals(List.of(1L, 2L), generations(mount.discover()), "nobody acknowledged: the sweep ends nothing");
        assertEquals(List.of("publish", "rotate"), events().stream().map(e -> e.get("type")).toList());
        mount.engine.clock.advance(Duration.ofSeconds(m - mount.engine.clock.instant().getEpochSecond()));
        assertEquals(List.of(2L), generations(mount.discover()), "at M records drop it by its stored not_after");
        tick();
        Map<?, ?> end = events().getLast();
        assertEquals("rotation_end", end.get("type"));
        assertTrue(((String) end.get("detail")).startsWith("forced"), (String) end.get("detail"));
        assertTrue(((String) end.get("detail")).contains("c1." + SESSION), "it names who had not moved: " + end.get("detail"));
        assertEquals(m, java.time.Instant.parse((String) end.get("time")).getEpochSecond(), "dated M");
        tick();
        assertEquals(1, events().stream().filter(e -> e.get("type").equals("rotation_end")).count(), "recorded once");
        assertEquals("[]", new String(mount.engine.storage.get("rotations/web/pod-1").orElseThrow(),
                java.nio.charset.StandardCharsets.UTF_8), "nothing waits any more");
    }

    @Test
    void aRotationWhoseConsumersAllStopCountingIsCompletedByTheSweepWhenTheLastStopped() {
        mount.engine.send(Operation.UPDATE, "config", Map.of("consumer_ttl", "40m"));
        Map<String, Object> first = served();
        long acked = ((Number) ack(READER_CALLER, body(seq(first), token(first), SESSION)).data().get("acked_at")).longValue();
        Map<?, ?> rotation = rotate();
        assertEquals(true, rotation.get("counted"), "counted until 40 minutes after its acknowledgement");
        assertTrue(new String(mount.engine.storage.get("rotations/web/pod-1").orElseThrow(),
                java.nio.charset.StandardCharsets.UTF_8).contains("\"awaiting_sequence\""), "the sweep finds it");
        mount.engine.clock.advance(Duration.ofMinutes(12)); // 43 minutes after the acknowledgement
        tick();
        Map<?, ?> end = events().getLast();
        assertEquals("rotation_end", end.get("type"));
        assertTrue(((String) end.get("detail")).startsWith("acknowledged"), (String) end.get("detail"));
        assertEquals(acked + 40 * 60, java.time.Instant.parse((String) end.get("time")).getEpochSecond(),
                "C = when the last laggard stopped counting, not when the sweep ran");
        Map<?, ?> old = ((List<?>) mount.discover().get("instances")).stream().map(i -> (Map<?, ?>) i)
                .filter(i -> ((Number) i.get("generation")).longValue() == 1).findFirst().orElseThrow();
        assertEquals(acked + 48 * 60, ((Number) old.get("not_after")).longValue(),
                "L = the completion's time + record_ttl: a late completion still leaves the publisher R to switch");
    }

    /** Lease ends and operator revokes never wait for consumers (docs/design-ack.md §1.2). */
    @Test
    void theNewKeysLeaseEndingCancelsTheWaitAndTheOldKeysEndsItAtOnce() {
        Map<String, Object> first = served();
        ack(READER_CALLER, body(seq(first), token(first), SESSION));
        Response rotated = rotated();
        long t0 = mount.engine.clock.instant().getEpochSecond();
        mount.engine.clock.advance(Duration.ofMinutes(2));
        mount.engine.lease(Operation.REVOKE, rotated.lease().orElseThrow()); // the new key's lease ends
        Map<?, ?> old = ((List<?>) mount.discover().get("instances")).stream().map(i -> (Map<?, ?>) i).findFirst().orElseThrow();
        assertEquals(1L, ((Number) old.get("generation")).longValue(), "only the old key is left");
        assertEquals(t0 + 600, ((Number) old.get("not_after")).longValue(), "until min_overlap, no longer until M");
        Map<?, ?> end = events().getLast();
        assertEquals("rotation_end", end.get("type"));
        assertTrue(((String) end.get("detail")).startsWith("cancelled"), (String) end.get("detail"));
    }

    @Test
    void anOperatorsRevokeEndsAnAwaitedRotationAtOnce() {
        Map<String, Object> first = served();
        ack(READER_CALLER, body(seq(first), token(first), SESSION));
        rotate();
        mount.engine.send(Operation.UPDATE, "revoke/web/pod-1", Map.of("reason", "compromised"));
        List<Object> types = events().stream().<Object>map(e -> e.get("type")).toList();
        assertEquals(List.of("publish", "rotate", "revoke", "revoke", "rotation_end"), types);
        assertTrue(((String) events().getLast().get("detail")).startsWith("old_ended"));
        assertEquals("[]", new String(mount.engine.storage.get("rotations/web/pod-1").orElseThrow(),
                java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The visibility: rotation/ for the publisher, consumers/ for operators. */
    @Test
    void rotationAndConsumersShowWhoHasNotMovedAndThenThatEveryoneHas() {
        Map<String, Object> first = served();
        ack(READER_CALLER, body(seq(first), token(first), SESSION));
        assertStatus(404, "awaited consumers", () -> mount.engine.send(Operation.READ, "rotation/web/pod-1", Map.of()));
        rotate();
        Map<?, ?> pending = (Map<?, ?>) ((List<?>) mount.engine.send(Operation.READ, "rotation/web/pod-1", Map.of())
                .data().get("rotations")).getFirst();
        assertEquals("pending", pending.get("state"));
        assertEquals(1L, ((Number) pending.get("from_generation")).longValue());
        assertEquals(2L, ((Number) pending.get("to_generation")).longValue());
        assertEquals(1, ((Number) pending.get("unacknowledged")).intValue());
        assertEquals("c1", ((Map<?, ?>) ((List<?>) pending.get("unacknowledged_consumers")).getFirst()).get("entity_id"));
        assertEquals(75L, ((Number) pending.get("poll_seconds")).longValue(), "record_ttl / 4");
        Map<String, Object> consumers = mount.engine.send(Operation.READ, "consumers/web", Map.of()).data();
        Map<?, ?> summary = (Map<?, ?>) consumers.get("summary");
        assertEquals(1, ((Number) summary.get("sessions")).intValue());
        assertEquals(1, ((Number) summary.get("counted")).intValue());
        assertEquals(1, ((Number) summary.get("pending_rotations")).intValue());
        assertEquals(31L * 60, ((Number) summary.get("oldest_unacknowledged_seconds")).longValue());
        Map<?, ?> keyInfo = (Map<?, ?>) ((Map<?, ?>) mount.engine.send(Operation.LIST, "services/", Map.of()).data()
                .get("key_info")).get("web");
        assertEquals(1, ((Number) keyInfo.get("pending_rotations")).intValue(), "services/ shows it without a scan");

        Map<String, Object> latest = mount.discover();
        ack(READER_CALLER, body(seq(latest), token(latest), SESSION));
        Map<?, ?> done = (Map<?, ?>) ((List<?>) mount.engine.send(Operation.READ, "rotation/web/pod-1", Map.of())
                .data().get("rotations")).getFirst();
        assertEquals("acknowledged", done.get("state"));
        assertEquals(0, ((Number) done.get("unacknowledged")).intValue());
        assertEquals(0, ((Number) ((Map<?, ?>) mount.engine.send(Operation.READ, "consumers/web", Map.of()).data()
                .get("summary")).get("pending_rotations")).intValue());
    }

    /** A leave can be what a rotation waited for: it completes it in its own request, the old key left R later. */
    @Test
    void theLastLaggardLeavingCompletesTheRotation() {
        Map<String, Object> first = served();
        ack(READER_CALLER, body(seq(first), token(first), SESSION));
        rotate();
        mount.engine.clock.advance(Duration.ofMinutes(20)); // past m
        long left = mount.engine.clock.instant().getEpochSecond();
        assertTrue(leave(READER_CALLER, SESSION).isNone());
        Map<?, ?> end = events().getLast();
        assertEquals("rotation_end", end.get("type"));
        assertTrue(((String) end.get("detail")).startsWith("acknowledged"), (String) end.get("detail"));
        Map<?, ?> old = ((List<?>) mount.discover().get("instances")).stream().map(i -> (Map<?, ?>) i)
                .filter(i -> ((Number) i.get("generation")).longValue() == 1).findFirst().orElseThrow();
        assertEquals(left + 300, ((Number) old.get("not_after")).longValue(), "never dropped at once: R after the leave");
    }

    /** docs/design-ack.md §4.6: a session that went away is shown for a day after it stopped counting, then removed. */
    @Test
    void tidyRemovesSessionsADayAfterTheyStoppedCounting() {
        Map<String, Object> first = served();
        ack(READER_CALLER, body(seq(first), token(first), SESSION));
        ack(new Caller("c2", "t", "x", "127.0.0.1"), body(seq(first), token(first), SESSION));
        mount.engine.clock.advance(Duration.ofHours(25)); // consumer_ttl 2h: c1 and c2 stopped counting 23h ago
        ack(new Caller("c2", "t", "x", "127.0.0.1"), body(seq(first), token(first), SESSION)); // c2 heartbeats
        assertEquals(0L, mount.engine.send(Operation.UPDATE, "tidy", Map.of()).data().get("consumers_removed"));
        mount.engine.clock.advance(Duration.ofHours(1));
        assertEquals(1L, mount.engine.send(Operation.UPDATE, "tidy", Map.of()).data().get("consumers_removed"));
        assertFalse(mount.engine.storage.keys().contains("consumers/web/c1." + SESSION));
        assertTrue(mount.engine.storage.keys().contains("consumers/web/c2." + SESSION));
        assertEquals(1, ((Number) ((Map<?, ?>) mount.engine.send(Operation.READ, "consumers/web", Map.of()).data()
                .get("summary")).get("sessions")).intValue());
    }

    /** A plugin started afresh (a restart, a failover) finds the awaited rotations in storage at its first tick. */
    @Test
    void aRestartedPluginsSweepFindsTheAwaitedRotationInStorage() {
        Map<String, Object> first = served();
        ack(READER_CALLER, body(seq(first), token(first), SESSION));
        Map<?, ?> rotation = rotate();
        long m = ((Number) rotation.get("max_end")).longValue();
        mount.engine.clock.advance(Duration.ofSeconds(m - mount.engine.clock.instant().getEpochSecond()));
        EngineFixture restarted = new EngineFixture(Map.of("e1", PublishingFixture.POD, "c1", READER),
                mount.engine.storage, mount.engine.clock);
        restarted.send(Operation.ROLLBACK, "", Map.of());
        List<?> events = (List<?>) restarted.send(Operation.READ, "history/web", Map.of()).data().get("events");
        Map<?, ?> end = (Map<?, ?>) events.getLast();
        assertEquals("rotation_end", end.get("type"));
        assertTrue(((String) end.get("detail")).contains("c1." + SESSION), (String) end.get("detail"));
    }

    /** A rotation awaiting one consumer that never acknowledges it, and the clock a minute past its max_end. */
    private Response rotatedWithOneConsumerAndPastMaxOverlap() {
        Map<String, Object> first = served();
        ack(READER_CALLER, body(seq(first), token(first), SESSION));
        Response rotated = rotated();
        long m = ((Number) ((Map<?, ?>) rotated.data().get("rotation")).get("max_end")).longValue();
        mount.engine.clock.advance(Duration.ofSeconds(m - mount.engine.clock.instant().getEpochSecond() + 60));
        return rotated;
    }

    /** Every awaited rotation gets exactly one end in history, even when another change prunes it before the sweep. */
    @Test
    void aChangeThatPrunesAnAwaitedRotationAfterMaxOverlapRecordsItsEnd() {
        Response rotated = rotatedWithOneConsumerAndPastMaxOverlap();
        mount.engine.lease(Operation.RENEW, rotated.lease().orElseThrow()); // the new key's renewal prunes the old one
        List<Map<?, ?>> ends = events().stream().filter(e -> e.get("type").equals("rotation_end")).toList();
        assertEquals(1, ends.size(), "its end is recorded by the change that dropped it");
        assertTrue(((String) ends.getFirst().get("detail")).contains("unacknowledged: c1." + SESSION),
                "naming the consumer behind, whose index is in memory: " + ends.getFirst().get("detail"));
        tick();
        assertEquals(1, events().stream().filter(e -> e.get("type").equals("rotation_end")).count(), "and only once");
    }

    /** A change that prunes it on a plugin that has not loaded the consumers (restarted) records the end without names. */
    @Test
    void aChangeThatPrunesAnAwaitedRotationWithoutTheConsumersInMemorySaysSo() {
        Response rotated = rotatedWithOneConsumerAndPastMaxOverlap();
        EngineFixture restarted = new EngineFixture(Map.of("e1", PublishingFixture.POD, "c1", READER),
                mount.engine.storage, mount.engine.clock);
        restarted.lease(Operation.RENEW, rotated.lease().orElseThrow());
        List<?> events = (List<?>) restarted.send(Operation.READ, "history/web", Map.of()).data().get("events");
        List<Map<?, ?>> ends = events.stream().<Map<?, ?>>map(e -> (Map<?, ?>) e).filter(e -> e.get("type").equals("rotation_end")).toList();
        assertEquals(1, ends.size());
        assertTrue(((String) ends.getFirst().get("detail")).contains("were not recorded"), (String) ends.getFirst().get("detail"));
    }

    private static List<Long> generations(Map<String, Object> answer) {
        return ((List<?>) answer.get("instances")).stream().map(i -> ((Number) ((Map<?, ?>) i).get("generation")).longValue())
                .sorted().toList();
    }

    @Test
    void aLeaveRemovesOnlyTheCallersOwnSession() {
        Map<String, Object> answer = served();
        ack(READER_CALLER, body(seq(answer), token(answer), SESSION));
        assertStatus(404, "no session", () -> leave(new Caller("c2", "t", "x", "127.0.0.1"), SESSION));
        assertTrue(mount.engine.storage.keys().contains("consumers/web/c1." + SESSION), "another entity cannot remove it");
        assertTrue(leave(READER_CALLER, SESSION).isNone());
        assertFalse(mount.engine.storage.keys().contains("consumers/web/c1." + SESSION));
        VaultException again = org.junit.jupiter.api.Assertions.assertThrows(VaultException.class, () -> leave(READER_CALLER, SESSION));
        assertEquals(404, again.status());
    }
}
