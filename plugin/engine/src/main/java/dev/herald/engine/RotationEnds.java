package dev.herald.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The changes that end a rotation awaiting consumers (docs/design-ack.md §1.3, §4.3), each one
 * logged change of the service with its {@code rotation_end} event: acknowledged (by the last
 * acknowledgement, or by the sweep once every laggard stopped counting) and forced (the sweep,
 * after M). Each re-checks under the service's lock that the rotation still waits, so two callers
 * that both saw it end it once.
 */
final class RotationEnds {
    private RotationEnds() {
    }

    /** Whether the publication's rotation still awaits consumers (as stored: M may have passed). */
    static boolean awaiting(Publication publication) {
        return publication.overlap().filter(o -> o.outcome() == Overlap.Outcome.PENDING).isPresent();
    }

    /** The {@code rotation_end} of an awaited rotation ended by a revoke or a lease end (never waited for). */
    static History.Event endedEvent(Publication old, Overlap done, Instant time, PublisherIdentity actor, long seq) {
        String outcome = done.outcome().name().toLowerCase(java.util.Locale.ROOT);
        String why = done.outcome() == Overlap.Outcome.CANCELLED
                ? ": the new key's publication ended; the old key is listed until " + done.oldListedUntil()
                : ": the old key's publication ended before its consumers had moved";
        return History.Event.builder().type("rotation_end").time(time).about(old).actor(actor).sequence(seq)
                .detail(outcome + why).build();
    }

    /** The listed publications whose rotation awaits consumers at a sequence up to {@code seq}, at {@code now}. */
    static List<Publication> awaited(ServiceState state, long seq, Instant now) {
        return state.liveAt(now).stream()
                .filter(p -> p.overlap().filter(o -> o.pendingAt(now) && o.awaitingSequence() <= seq).isPresent())
                .toList();
    }

    /**
     * Every counted consumer had installed the new key's record at {@code acknowledgedAt} (C): the old
     * key is listed until L. Whether this call made the change.
     */
    static boolean acknowledged(Registry registry, String service, Publication old, Instant now, Instant acknowledgedAt,
                                PublisherIdentity actor) {
        return registry.change(service, state -> {
            ServiceState pruned = state.pruned(now);
            Optional<Publication> still = pruned.find(old.instance(), old.generation())
                    .filter(p -> p.overlap().filter(o -> o.pendingAt(now)).isPresent());
            if (still.isEmpty()) {
                return Registry.Change.none(false); // ended meanwhile
            }
            Publication pending = still.get();
            // The ends follow from when this change is made, not from C: a completion written late
            // (the sweep, a tick after the last laggard stopped counting) must still leave the
            // publisher a record_ttl to switch before the old key leaves. History keeps C.
            Overlap done = pending.overlap().orElseThrow().acknowledgedAt(acknowledgedAt.isAfter(now) ? acknowledgedAt : now);
            List<Publication> listed = new ArrayList<>(pruned.of(old.instance()));
            listed.set(listed.indexOf(pending), pending.toBuilder().notAfter(done.oldListedUntil())
                    .overlap(Optional.of(done)).build());
            ServiceState changed = pruned.changed(old.instance(), listed);
            History.Event event = History.Event.builder().type("rotation_end").time(acknowledgedAt).about(pending)
                    .actor(actor).sequence(changed.seq())
                    .detail(done.outcome().name().toLowerCase(java.util.Locale.ROOT) + ": every counted consumer installed seq "
                            + done.awaitingSequence() + " or later; the old key is listed until " + done.oldListedUntil()
                            + ", the new one may be presented from " + done.serveNewFrom())
                    .build();
            return new Registry.Change<>(changed, List.of(event), true);
        });
    }

    /**
     * M passed with consumers still behind: the old key left at M (its stored not_after, so records
     * dropped it then without any write); this records the end and who had not moved. Whether this
     * call made the change.
     */
    static boolean forced(Registry registry, String service, Publication old, Instant now, List<ConsumerEntry> laggards,
                          PublisherIdentity actor) {
        return registry.change(service, state -> {
            Optional<Publication> still = state.find(old.instance(), old.generation())
                    .filter(p -> p.overlap().filter(o -> o.outcome() == Overlap.Outcome.PENDING).isPresent());
            if (still.isEmpty()) {
                return Registry.Change.none(false);
            }
            Publication pending = still.get();
            Overlap overlap = pending.overlap().orElseThrow();
            if (now.isBefore(overlap.maxEnd())) {
                return Registry.Change.none(false);
            }
            Overlap done = overlap.acknowledgedAt(overlap.maxEnd()); // at or after M: forced
            ServiceState pruned = state.pruned(now);
            List<Publication> listed = new ArrayList<>(pruned.of(old.instance()));
            int at = listed.indexOf(pending);
            if (at >= 0) { // still listed only if M is in the future of `now` rounding; it has ended
                listed.set(at, pending.toBuilder().overlap(Optional.of(done)).build());
            }
            ServiceState changed = pruned.changed(old.instance(), listed);
            return new Registry.Change<>(changed, List.of(forcedEvent(pending, laggards, actor, changed.seq())), true);
        });
    }

    /**
     * The {@code rotation_end} of a rotation another change of the service ended first (it pruned the
     * old key after M): forced, dated M, its laggards not known to that change.
     */
    static History.Event endedUnrecorded(Publication old, long seq) {
        Overlap overlap = old.overlap().orElseThrow();
        return History.Event.builder().type(LogLeaf.ROTATION_END).time(overlap.maxEnd()).about(old)
                .actor(PublisherIdentity.unbound("")).sequence(seq)
                .detail("forced: max_overlap passed at " + overlap.maxEnd() + " awaiting seq " + overlap.awaitingSequence()
                        + "; another change of the service ended it before the sweep, so the consumers behind were not recorded")
                .build();
    }

    /** The {@code rotation_end} of a rotation M ended with consumers behind, dated M, naming them. */
    static History.Event forcedEvent(Publication old, List<ConsumerEntry> laggards, PublisherIdentity actor, long seq) {
        Overlap overlap = old.overlap().orElseThrow();
        StringBuilder names = new StringBuilder();
        for (ConsumerEntry laggard : laggards) {
            names.append(names.isEmpty() ? "" : ", ").append(laggard.entityId()).append('.').append(laggard.session())
                    .append(" (seq ").append(laggard.seq()).append(')');
        }
        return History.Event.builder().type("rotation_end").time(overlap.maxEnd()).about(old).actor(actor).sequence(seq)
                .detail("forced: max_overlap passed at " + overlap.maxEnd() + " awaiting seq " + overlap.awaitingSequence()
                        + "; unacknowledged: " + (names.isEmpty() ? "none counted" : names))
                .build();
    }
}
