package dev.herald.engine;

import dev.herald.sdk.VaultException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a discovery record carries of the mount's log (docs/design-log.md §6): the checkpoint it was
 * made against ({@code log_checkpoint}, a claim), which holds the leaf of every listed publication
 * (each listed instance's {@code log_index}), and, beside the record in the answer, the inclusion
 * proof of each ({@code log_proofs}: instance → a tlog-proof with the leaf, or a list of them for
 * an instance listed once per generation). Proofs need no signature of the engine: each checks
 * against the signed checkpoint, so they travel outside the JWT.
 *
 * @param checkpoint the checkpoint note, byte for byte the one every proof carries
 * @param proofs     instance → proof(s); empty when the record lists more than {@link #MAX_PROOFS}
 *                   (a client then reads {@code log/proof/inclusion} per instance)
 */
record RecordLog(String checkpoint, Map<String, Object> proofs) {
    /** Records listing at most this many instances carry their proofs (~2.2 KB each at 10⁶ leaves). */
    static final int MAX_PROOFS = 16;

    RecordLog {
        proofs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(proofs));
    }

    /**
     * The log part of a record listing {@code listed}, or none: when the mount has no log yet, or a
     * listed publication was made before the mount had one (no leaf to prove; a client that pinned
     * the log refuses such a record rather than trust it unlogged).
     *
     * @throws VaultException 503 if this node's log does not yet hold a listed leaf (a standby behind storage)
     */
    static Optional<RecordLog> of(List<Publication> listed, LogReader log) {
        long highest = -1;
        for (Publication publication : listed) {
            if (publication.logIndex() == Publication.NOT_LOGGED) {
                return Optional.empty();
            }
            highest = Math.max(highest, publication.logIndex());
        }
        LogReader.View view;
        if (highest < 0) {
            try {
                view = log.view(); // nothing listed: the checkpoint still says which log the empty page belongs to
            } catch (VaultException e) {
                if (e.status() == 404) {
                    return Optional.empty(); // no log key yet: nothing was ever logged here
                }
                throw e;
            }
        } else {
            view = log.covering(highest);
        }
        Map<String, Object> proofs = new LinkedHashMap<>();
        if (listed.size() <= MAX_PROOFS) {
            for (Publication publication : listed) {
                String proof = log.inclusion(publication.logIndex(), view);
                proofs.merge(publication.instance(), proof, RecordLog::both);
            }
        }
        return Optional.of(new RecordLog(view.note(), proofs));
    }

    /** Two generations of one instance listed (a rotation's overlap): a list, in the record's order. */
    private static Object both(Object earlier, Object later) {
        List<Object> all = new ArrayList<>();
        if (earlier instanceof List<?> list) {
            all.addAll(list);
        } else {
            all.add(earlier);
        }
        all.add(later);
        return List.copyOf(all);
    }
}
