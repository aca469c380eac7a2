package dev.herald.tlog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A C2SP {@code tlog-proof} (v1): a self-contained, offline-verifiable proof that an entry is in a
 * log. Herald puts the leaf itself in {@code extra} (the record alone cannot rebuild it).
 *
 * <pre>
 * c2sp.org/tlog-proof@v1
 * extra &lt;base64&gt;        (optional)
 * index &lt;decimal&gt;
 * &lt;base64 hash&gt;         (the inclusion proof, leaf's sibling first; zero or more)
 *
 * &lt;the checkpoint note, verbatim&gt;
 * </pre>
 *
 * @param extra the unauthenticated extra data, if any (Herald: the leaf)
 * @param index the entry's index
 * @param proof the inclusion proof
 * @param checkpoint the checkpoint's signed note text, verbatim
 */
public record TlogProof(Optional<byte[]> extra, long index, List<Hash> proof, String checkpoint) {
    /** The first line. */
    public static final String HEADER = "c2sp.org/tlog-proof@v1";
    /** Proofs larger than this are refused before parsing. */
    public static final int MAX_BYTES = SignedNote.MAX_BYTES + 4 * EntryBundle.MAX_ENTRY / 3 + 8 * 1024;

    /**
     * Copies the data and checks the components.
     *
     * @throws IllegalArgumentException if the extra data is empty, the index negative or the proof too long
     */
    public TlogProof {
        extra = extra.map(byte[]::clone);
        proof = List.copyOf(proof);
        if (extra.isPresent() && extra.get().length == 0) {
            throw new IllegalArgumentException("empty extra data is written as no extra line");
        }
        if (index < 0) {
            throw new IllegalArgumentException("negative index");
        }
        if (proof.size() > Proofs.MAX_PROOF_HASHES) {
            throw new IllegalArgumentException("proof too long");
        }
    }

    /** {@return a copy of the extra data} */
    @Override
    public Optional<byte[]> extra() {
        return extra.map(byte[]::clone);
    }

    /** {@return the proof's text} */
    public String encode() {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        extra.ifPresent(e -> b.append("extra ").append(Base64.getEncoder().encodeToString(e)).append('\n'));
        b.append("index ").append(index).append('\n');
        for (Hash h : proof) {
            b.append(h.base64()).append('\n');
        }
        return b.append('\n').append(checkpoint).toString();
    }

    /**
     * {@return the parsed proof (nothing verified yet: see {@link #verify})}
     *
     * @param text a proof as received
     * @throws MalformedException if it is not a well-formed tlog-proof
     */
    public static TlogProof parse(String text) throws MalformedException {
        if (text.length() > MAX_BYTES) {
            throw new MalformedException("a tlog-proof of more than " + MAX_BYTES + " characters");
        }
        int at = 0;
        List<String> head = new ArrayList<>();
        // Header lines up to the empty line that precedes the checkpoint.
        while (true) {
            int nl = text.indexOf('\n', at);
            if (nl < 0) {
                throw new MalformedException("a tlog-proof ends before its checkpoint");
            }
            String line = text.substring(at, nl);
            at = nl + 1;
            if (line.isEmpty()) {
                break;
            }
            if (head.size() > Proofs.MAX_PROOF_HASHES + 3) {
                throw new MalformedException("a tlog-proof with too many lines");
            }
            head.add(line);
        }
        if (head.isEmpty() || !head.get(0).equals(HEADER)) {
            throw new MalformedException("not a " + HEADER);
        }
        int i = 1;
        Optional<byte[]> extra = Optional.empty();
        if (i < head.size() && head.get(i).startsWith("extra ")) {
            byte[] e = Encoding.base64(head.get(i).substring("extra ".length()), "extra data");
            if (e.length == 0) {
                throw new MalformedException("empty extra data");
            }
            extra = Optional.of(e);
            i++;
        }
        if (i >= head.size() || !head.get(i).startsWith("index ")) {
            throw new MalformedException("a tlog-proof without an index line");
        }
        long index = Encoding.decimal(head.get(i).substring("index ".length()), "index");
        i++;
        List<Hash> proof = new ArrayList<>();
        for (; i < head.size(); i++) {
            proof.add(Hash.fromBase64(head.get(i)));
        }
        if (proof.size() > Proofs.MAX_PROOF_HASHES) {
            throw new MalformedException("an inclusion proof of more than " + Proofs.MAX_PROOF_HASHES + " hashes");
        }
        String checkpoint = text.substring(at);
        // Well-formed now, so that a proof that parses carries a checkpoint that parses.
        Checkpoint.parse(SignedNote.parse(checkpoint).text());
        return new TlogProof(extra, index, proof, checkpoint);
    }

    /**
     * Verifies the whole proof: the checkpoint's origin and log signature, then the inclusion of
     * {@code leaf} at {@link #index()} under its root.
     *
     * @param leaf the entry (for Herald, usually {@link #extra()} after the caller has checked it)
     * @param origin the log's origin
     * @param logKeys the trusted log keys
     * @return the opened checkpoint
     * @throws TlogException if anything is malformed or does not verify
     */
    public SignedCheckpoint verify(byte[] leaf, String origin, Collection<NoteVerifier> logKeys) throws TlogException {
        SignedCheckpoint c = SignedCheckpoint.open(checkpoint, origin, logKeys);
        Proofs.checkInclusion(TreeHash.leaf(leaf), index, c.checkpoint().size(), proof, c.checkpoint().root());
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlogProof p && index == p.index && proof.equals(p.proof) && checkpoint.equals(p.checkpoint)
                && extra.isPresent() == p.extra.isPresent() && (extra.isEmpty() || Arrays.equals(extra.get(), p.extra.get()));
    }

    @Override
    public int hashCode() {
        return Long.hashCode(index) * 31 + checkpoint.hashCode();
    }

    @Override
    public String toString() {
        return "TlogProof[index=" + index + ", " + proof.size() + " hashes, extra " + extra.map(e -> e.length + " bytes").orElse("none") + "]";
    }

    /** {@return the proof in UTF-8} */
    public byte[] bytes() {
        return encode().getBytes(StandardCharsets.UTF_8);
    }
}
