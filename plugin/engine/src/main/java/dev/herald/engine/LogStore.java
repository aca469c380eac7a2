package dev.herald.engine;

import dev.herald.sdk.Storage;
import dev.herald.sdk.json.Json;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the mount's log lies in storage (docs/design-log.md §2.1): the batch records (in a ring of
 * {@link #RING} slots, never deleted: a record is overwritten once its leaves are in a full bundle), the full tiles
 * and entry bundles, the partial tiles of levels 1 and up, and the head (the latest checkpoint
 * with the tree's right edge). Tiles and bundles are kept under fixed-width decimal indices rather
 * than tlog-tiles' {@code x001/x234/067} paths, so that a {@code list} stays one level and sorts.
 * Only {@link LogWriter} writes here.
 */
final class LogStore {
    static final String PREFIX = "log/";
    static final String RECORD_PREFIX = "log/record/";
    /**
     * The batch records' slots: a record of at most {@link #RING_LEAVES} leaves is stored at
     * {@code start % RING}. The records still needed (leaves after the last full bundle, and a
     * batch whose checkpoint is not stored yet) start within 511 leaves of each other, so they
     * never share a slot; the record a new batch overwrites has every leaf in a full bundle
     * already. A batch of more leaves (one change can have more: a revoke ends every listed
     * publication of an instance) would break that, so its record is kept apart, under its start
     * ({@link #oversizedKey}), and deleted once redundant.
     */
    static final int RING = 512;
    /** The most leaves a record in the ring holds. */
    static final int RING_LEAVES = 256;
    private static final String OVERSIZED_PREFIX = "log/record/x";
    static final String HEAD = "log/checkpoint";
    private static final String TILE_PREFIX = "log/tile/";
    private static final String BUNDLE_PREFIX = "log/bundle/";
    static final String PARTIAL_PREFIX = "log/partial/";
    /**
     * The start of the last batch whose second write is known whole: written with the first commit
     * after it that has no leaves (which starts only after that batch's writes returned), so that a
     * roll-forward does not write the batch's entries again over what such commits wrote since
     * (renewals, tidy).
     */
    static final String COMPLETE = "log/complete";

    private LogStore() {
    }

    /** Where the record of a batch of {@code leaves} leaves that starts at {@code start} is stored. */
    static String recordKey(long start, int leaves) {
        return leaves > RING_LEAVES ? oversizedKey(start) : slotKey(start);
    }

    /** The ring slot of a record that starts at {@code start}. */
    private static String slotKey(long start) {
        return RECORD_PREFIX + String.format("%03d", start % RING);
    }

    static String oversizedKey(long start) {
        return OVERSIZED_PREFIX + index(start);
    }

    static String tileKey(int level, long n) {
        return TILE_PREFIX + level + "/" + index(n);
    }

    static String bundleKey(long n) {
        return BUNDLE_PREFIX + index(n);
    }

    static String partialKey(int level) {
        return PARTIAL_PREFIX + level;
    }

    private static String index(long n) {
        return String.format("%016d", n);
    }

    /**
     * One committed batch: its first leaf index, its leaves, and every storage entry its changes
     * write (the last value of each key), so that a crash after the record is stored can be rolled
     * forward exactly (§2.4). Immutable once stored.
     */
    record Batch(long start, List<byte[]> leaves, Map<String, byte[]> writes, Instant time) {
        Batch {
            if (start < 0) {
                throw new IllegalArgumentException("a batch starts at a leaf index >= 0");
            }
            leaves = List.copyOf(leaves);
            writes = Collections.unmodifiableMap(new LinkedHashMap<>(writes));
        }

        /** The index after its last leaf. */
        long end() {
            return start + leaves.size();
        }

        byte[] encode() {
            Base64.Encoder base64 = Base64.getEncoder();
            Map<String, Object> stored = new LinkedHashMap<>();
            stored.put("start", start);
            stored.put("leaves", leaves.stream().map(base64::encodeToString).toList());
            Map<String, Object> entries = new LinkedHashMap<>();
            writes.forEach((key, value) -> entries.put(key, base64.encodeToString(value)));
            stored.put("writes", entries);
            stored.put("time", time.toString());
            return Json.write(stored).getBytes(StandardCharsets.UTF_8);
        }

        @SuppressWarnings("unchecked")
        static Batch decode(byte[] bytes) {
            Map<String, Object> stored = Json.parseObject(new String(bytes, StandardCharsets.UTF_8));
            Base64.Decoder base64 = Base64.getDecoder();
            List<byte[]> leaves = new ArrayList<>();
            for (Object leaf : (List<Object>) stored.get("leaves")) {
                leaves.add(base64.decode((String) leaf));
            }
            Map<String, byte[]> writes = new LinkedHashMap<>();
            ((Map<String, Object>) stored.get("writes")).forEach((key, value) -> writes.put(key, base64.decode((String) value)));
            return new Batch(((Number) stored.get("start")).longValue(), leaves, writes,
                    Instant.parse((String) stored.get("time")));
        }
    }

    /**
     * The record of the batch that starts at {@code start}: in its slot if the slot holds that one
     * (and not an older or no batch), else kept apart as an oversized one, if there is one.
     */
    static Optional<Batch> batch(Storage storage, long start) {
        Optional<Batch> inRing = storage.get(slotKey(start)).map(Batch::decode).filter(batch -> batch.start() == start);
        return inRing.isPresent() ? inRing
                : storage.get(oversizedKey(start)).map(Batch::decode).filter(batch -> batch.start() == start);
    }
}
