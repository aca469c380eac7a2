package dev.herald.client.log;

import dev.herald.client.VerificationException;
import dev.herald.tlog.Hash;
import dev.herald.tlog.MalformedException;
import dev.herald.tlog.NoteVerifier;
import dev.herald.tlog.TileId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The engine's wire format of the verifiable log, in one place (design-log §5, §6), so that it can
 * be adjusted as the engine's is fixed: the paths under {@code <mount>/log/}, their raw bodies, and
 * the names of the record claims and of the discover answer's member that carry the log.
 */
public final class LogWire {
    /** The record claim holding the checkpoint note the record was made against. */
    public static final String CHECKPOINT_CLAIM = "log_checkpoint";
    /** The per-instance claim holding the index of the leaf that published the instance's key. */
    public static final String INDEX_CLAIM = "log_index";
    /** The discover answer's member (beside {@code record}, unsigned): instance name → tlog-proof text. */
    public static final String PROOFS_MEMBER = "log_proofs";

    /** The latest checkpoint, a signed note (text). */
    public static final String CHECKPOINT = "checkpoint";
    /** The largest checkpoint witnesses cosigned, a signed note (text); 404 until one has. */
    public static final String WITNESSED = "witnessed";
    /** The authenticated path below the mount where witnesses post their cosignatures. */
    public static final String COSIGN = "log/cosign";
    /** The log's verifier keys, one signed-note vkey per line (text). */
    public static final String KEY = "key";

    private LogWire() {
    }

    /** The path of a tile or entry bundle below {@code log/}: exactly {@code tlog-tiles}' ({@code tile/0/x001/234.p/17}). */
    public static String tile(TileId id) {
        return id.path();
    }

    /** The consistency proof's path below {@code log/}: from the tree of {@code from} leaves to that of {@code to}. */
    public static String consistency(long from, long to) {
        return "proof/consistency?from=" + from + "&to=" + to;
    }

    /**
     * The inclusion proof's path below {@code log/}: a tlog-proof of leaf {@code index} (its leaf in
     * {@code extra}) under the checkpoint of {@code size}. For records that list more instances than
     * the answer carries proofs for.
     */
    public static String inclusion(long index, long size) {
        return "proof/inclusion?index=" + index + "&size=" + size;
    }

    /** The vkeys of {@code log/key}: one per line, blank lines ignored; at least one, all of type 0x01 and one name. */
    public static List<NoteVerifier> keys(byte[] body) {
        List<NoteVerifier> keys = new ArrayList<>();
        for (String line : utf8(body, "log/key").split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            keys.add(vkey(line.strip()));
        }
        return checkKeys(keys, "log/key");
    }

    /** One vkey, e.g. from {@code --log-key}. */
    public static NoteVerifier vkey(String text) {
        return typed(text, NoteVerifier.ED25519, "log key", "a witness key (type 0x04), not a log key");
    }

    /** A witness's key (type 0x04), e.g. from {@code --witness}. */
    public static NoteVerifier witnessVkey(String text) {
        return typed(text, NoteVerifier.COSIGNATURE_V1, "witness key", "a log key (type 0x01), not a witness's (type 0x04)");
    }

    private static NoteVerifier typed(String text, int type, String what, String otherType) {
        try {
            NoteVerifier key = NoteVerifier.parse(text);
            if (key.type() != type) {
                throw new VerificationException(what + " " + text + " is " + otherType);
            }
            return key;
        } catch (MalformedException e) {
            throw new VerificationException("not a " + what.replace(" key", "") + " verifier key (<name>+<id>+<key>): " + e.getMessage(), e);
        }
    }

    /** The keys of one log: at least one, all of one name (the origin). */
    static List<NoteVerifier> checkKeys(List<NoteVerifier> keys, String where) {
        if (keys.isEmpty()) {
            throw new VerificationException(where + " holds no log key");
        }
        String origin = keys.getFirst().name();
        for (NoteVerifier key : keys) {
            if (!key.name().equals(origin)) {
                throw new VerificationException(where + " holds keys of two origins: " + origin + " and " + key.name());
            }
        }
        return List.copyOf(keys);
    }

    /** A consistency proof's body: one base64 hash per line (a final newline optional; empty for an empty proof). */
    public static List<Hash> proofHashes(byte[] body) {
        String text = utf8(body, "consistency proof");
        List<Hash> hashes = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            try {
                hashes.add(Hash.fromBase64(line));
            } catch (MalformedException e) {
                throw new VerificationException("consistency proof line is not a base64 hash: " + e.getMessage(), e);
            }
            if (hashes.size() > 64) {
                throw new VerificationException("consistency proof of more than 64 hashes");
            }
        }
        return hashes;
    }

    /**
     * The tlog-proofs of an instance in the discover answer's {@link #PROOFS_MEMBER}: the value under
     * its name is one proof, or a list of proofs when the instance is listed once per generation (in
     * rotation). The caller picks the one whose index is the instance's {@code log_index}.
     */
    public static List<String> proofsOf(Object logProofs, String instance) {
        if (!(logProofs instanceof Map<?, ?> byInstance)) {
            return List.of();
        }
        Object value = byInstance.get(instance);
        if (value instanceof String proof) {
            return List.of(proof);
        }
        if (value instanceof List<?> list) {
            return list.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        }
        return List.of();
    }

    static String utf8(byte[] body, String what) {
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            return decoder.decode(java.nio.ByteBuffer.wrap(body)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new VerificationException(what + " is not UTF-8");
        }
    }
}
