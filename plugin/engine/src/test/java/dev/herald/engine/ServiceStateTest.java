package dev.herald.engine;

import dev.herald.sdk.testing.InMemoryStorage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service index against a plain model of it (a sorted list and two maps, changed by copying,
 * as the index was kept before it shared structure), under random publishes, rotations, renewals,
 * revocations, resets, expiries and prunes; and every state written and loaded back equal.
 */
class ServiceStateTest {
    private static final Comparator<Publication> ORDER =
            Comparator.comparing(Publication::instance).thenComparingLong(Publication::generation);

    /** The index as a list and maps; every change copies them all. */
    private record Model(long seq, List<Publication> publications, Map<String, Long> generations,
                         Map<String, Publication> tombstones, TreeSet<String> touched) {

        static Model empty() {
            return new Model(0, List.of(), Map.of(), Map.of(), new TreeSet<>());
        }

        Model changed(String instance, List<Publication> listed) {
            List<Publication> next = new ArrayList<>(publications.stream().filter(p -> !p.instance().equals(instance)).toList());
            next.addAll(listed);
            TreeSet<String> touching = new TreeSet<>(touched);
            touching.add(instance);
            return listedAs(next, seq + 1, touching);
        }

        Model pruned(Instant now) {
            List<Publication> expired = publications.stream().filter(p -> !p.liveAt(now)).toList();
            if (expired.isEmpty()) {
                return this;
            }
            TreeSet<String> touching = new TreeSet<>(touched);
            expired.forEach(p -> touching.add(p.instance()));
            return listedAs(publications.stream().filter(p -> p.liveAt(now)).toList(), seq + expired.size(), touching);
        }

        /**
         * The list becomes {@code next}: every publication that leaves it while its generation is
         * its instance's latest becomes the instance's tombstone; an instance whose latest
         * generation is listed has none.
         */
        private Model listedAs(List<Publication> next, long seq, TreeSet<String> touching) {
            Map<String, Long> latest = new HashMap<>(generations);
            next.forEach(p -> latest.merge(p.instance(), p.generation(), Math::max));
            Map<String, Publication> stones = new HashMap<>(tombstones);
            for (Publication p : next) {
                if (p.generation() == latest.get(p.instance())) {
                    stones.remove(p.instance());
                }
            }
            for (Publication p : publications) {
                boolean stays = next.stream().anyMatch(n -> n.instance().equals(p.instance()) && n.generation() == p.generation());
                if (!stays && p.generation() == latest.get(p.instance())) {
                    stones.put(p.instance(), p);
                }
            }
            return new Model(seq, next.stream().sorted(ORDER).toList(), latest, stones, touching);
        }

        Model withoutTombstone(String instance) {
            if (!tombstones.containsKey(instance)) {
                return this;
            }
            Map<String, Publication> stones = new HashMap<>(tombstones);
            stones.remove(instance);
            TreeSet<String> touching = new TreeSet<>(touched);
            touching.add(instance);
            return new Model(seq, publications, generations, stones, touching);
        }

        Model saved() {
            return new Model(seq, publications, generations, tombstones, new TreeSet<>());
        }

        long sequenceAt(Instant now) {
            return seq + publications.stream().filter(p -> !p.liveAt(now)).count();
        }

        List<Publication> liveAt(Instant now) {
            return publications.stream().filter(p -> p.liveAt(now)).toList();
        }

        List<Publication> of(String instance) {
            return publications.stream().filter(p -> p.instance().equals(instance)).toList();
        }

        Optional<Publication> current(String instance, Instant now) {
            return of(instance).stream().filter(p -> !p.superseded() && p.liveAt(now)).reduce((a, b) -> b);
        }

        Optional<Publication> last(String instance) {
            Long generation = generations.get(instance);
            if (generation == null) {
                return Optional.empty();
            }
            return tombstones.containsKey(instance) ? Optional.of(tombstones.get(instance))
                    : of(instance).stream().filter(p -> p.generation() == generation).findFirst();
        }

        long instanceCountAt(Instant now) {
            return liveAt(now).stream().map(Publication::instance).distinct().count();
        }
    }

    private static void assertMatches(Model model, ServiceState state, Instant now, List<String> names) {
        assertEquals(model.seq(), state.seq());
        assertEquals(model.publications(), state.publications());
        assertEquals(model.publications().size(), state.publicationCount());
        assertEquals(new ArrayList<>(model.touched()), state.touched());
        for (Instant at : List.of(now, now.minus(Duration.ofMinutes(10)), now.plus(Duration.ofMinutes(30)))) {
            assertEquals(model.sequenceAt(at), state.sequenceAt(at));
            assertEquals(model.liveAt(at), state.liveAt(at));
            assertEquals(model.instanceCountAt(at), state.instanceCountAt(at));
        }
        for (String name : names) {
            assertEquals(model.of(name), state.of(name));
            assertEquals(model.current(name, now), state.current(name, now));
            assertEquals(model.last(name), state.last(name));
            assertEquals(Optional.ofNullable(model.tombstones().get(name)), state.tombstone(name));
            assertEquals(model.generations().getOrDefault(name, 0L) + 1, state.nextGeneration(name));
            for (long generation = 1; generation <= state.generation(name); generation++) {
                long g = generation;
                assertEquals(model.of(name).stream().filter(p -> p.generation() == g).findFirst(), state.find(name, g));
            }
        }
    }

    @Test
    void randomChangesMatchTheModelAndLoadBackAsWritten() {
        Random random = new Random(11);
        List<PublisherKey> keys = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            keys.add(PublisherKeys.fromPublicKey(TestKeys.generate("ed25519").publicKeyPem()));
        }
        for (int run = 0; run < 12; run++) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < 3 + random.nextInt(run < 6 ? 6 : 60); i++) {
                names.add("pod-" + Integer.toString(i, 36));
            }
            InMemoryStorage storage = new InMemoryStorage();
            Instant now = TestValues.NOW;
            ServiceState stored = ServiceState.empty("web");
            ServiceState state = stored;
            Model model = Model.empty();
            for (int step = 0; step < 600; step++) {
                now = now.plusSeconds(random.nextInt(600));
                String name = names.get(random.nextInt(names.size()));
                List<Publication> listed = new ArrayList<>(state.of(name));
                switch (random.nextInt(8)) {
                    case 0, 1 -> { // publish or rotate: a new generation, the current one superseded
                        Optional<Publication> current = state.current(name, now);
                        if (current.isPresent()) {
                            listed.set(listed.indexOf(current.get()), current.get().supersededAt(now, Duration.ofMinutes(5)));
                        }
                        listed.add(TestValues.publication(name, state.nextGeneration(name), keys.get(random.nextInt(3)))
                                .toBuilder().notBefore(now).notAfter(now.plusSeconds(60 + random.nextInt(3600))).build());
                    }
                    case 2 -> { // renew
                        if (listed.isEmpty()) {
                            continue;
                        }
                        int i = random.nextInt(listed.size());
                        listed.set(i, listed.get(i).endingAt(listed.get(i).notAfter().plusSeconds(1 + random.nextInt(900))));
                    }
                    case 3 -> { // lease revoke
                        if (listed.isEmpty()) {
                            continue;
                        }
                        listed.remove(random.nextInt(listed.size()));
                    }
                    case 4 -> listed.clear(); // operator revoke
                    case 5 -> {
                        state = state.withoutTombstone(name);
                        model = model.withoutTombstone(name);
                        assertMatches(model, state, now, names);
                        continue;
                    }
                    case 6 -> {
                        Instant cutoff = random.nextBoolean() ? now : now.minus(Duration.ofMinutes(10));
                        state = state.pruned(cutoff);
                        model = model.pruned(cutoff);
                        assertMatches(model, state, now, names);
                        continue;
                    }
                    default -> { // written: what is loaded back is what was written
                        if (state.hasNoInstances()) {
                            continue; // nothing to write: no change makes history without an instance
                        }
                        storage.putAll(ServiceStore.writes(stored, state.withHistoryLength(step), List.of()));
                        ServiceState loaded = ServiceStore.load(storage, "web");
                        assertEquals(state.withHistoryLength(step), loaded, "loaded as written");
                        assertTrue(loaded.isStored());
                        stored = loaded;
                        state = loaded;
                        model = model.saved();
                        assertMatches(model, state, now, names);
                        continue;
                    }
                }
                state = state.changed(name, listed);
                model = model.changed(name, listed);
                assertMatches(model, state, now, names);
            }
        }
    }

    @Test
    void aChangeSharesTheIndexAndLeavesTheStateItCameFromAsItWas() {
        ServiceState state = ServiceState.empty("web");
        PublisherKey key = PublisherKeys.fromPublicKey(TestKeys.generate("ed25519").publicKeyPem());
        for (int i = 0; i < 1000; i++) {
            state = state.changed("pod-" + i, List.of(TestValues.publication("pod-" + i, 1, key)));
        }
        ServiceState before = state.saved();
        ServiceState after = before.changed("pod-500", List.of());
        assertEquals(1000, before.publicationCount());
        assertEquals(999, after.publicationCount());
        assertEquals(1, before.of("pod-500").size(), "the state changed from is unchanged");
        assertEquals(List.of("pod-500"), after.touched());
        assertSame(before, before.pruned(TestValues.NOW), "nothing expired: the same state");
        ServiceState expired = before.pruned(TestValues.NOW.plus(Duration.ofHours(1)));
        assertEquals(0, expired.publicationCount());
        assertEquals(before.sequenceAt(TestValues.NOW.plus(Duration.ofHours(1))), expired.seq());
        assertEquals(1000, expired.touched().size());
    }

    @Test
    void aListMustHoldOnlyTheInstanceAndEachGenerationOnce() {
        PublisherKey key = PublisherKeys.fromPublicKey(TestKeys.generate("ed25519").publicKeyPem());
        ServiceState state = ServiceState.empty("web");
        assertThrows(IllegalArgumentException.class,
                () -> state.changed("pod-1", List.of(TestValues.publication("pod-2", 1, key))));
        assertThrows(IllegalArgumentException.class, () -> state.changed("pod-1",
                List.of(TestValues.publication("pod-1", 1, key), TestValues.publication("pod-1", 1, key))));
        assertThrows(IllegalArgumentException.class, () -> ServiceStore.writes(
                state.changed("pod-1", List.of(TestValues.publication("pod-1", 1, key))), state, List.of()),
                "a save starts from a state as stored");
    }
}
