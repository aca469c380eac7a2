package dev.herald.tlog;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 6962 §2.1.1–2.1.2 inclusion and consistency proofs: made from a {@link HashSource} (reading
 * O(log n) stored hashes) and checked as RFC 9162 §2.1.3.2 and §2.1.4.2 describe, as pure functions
 * of their arguments.
 */
public final class Proofs {
    /** No proof of a tree of at most 2^63 leaves is longer; longer ones are refused before hashing. */
    public static final int MAX_PROOF_HASHES = 64;

    private Proofs() {}

    /**
     * {@return the root of the first {@code size} leaves}
     *
     * @param size the tree size
     * @param source the tree's hashes
     * @throws TlogException if the source fails
     */
    public static Hash root(long size, HashSource source) throws TlogException {
        return RightEdge.read(size, source).root();
    }

    /**
     * The inclusion proof of leaf {@code index} in the tree of {@code size} leaves: the sibling hashes
     * from the leaf's up to the root's child (RFC 6962 PATH).
     *
     * @param index the leaf, {@code 0 ≤ index < size}
     * @param size the tree size
     * @param source the hashes of a tree of at least {@code size} leaves
     * @return the proof
     * @throws TlogException if the source fails
     */
    public static List<Hash> inclusion(long index, long size, HashSource source) throws TlogException {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("leaf " + index + " is not in a tree of size " + size);
        }
        List<Hash> rootward = new ArrayList<>();
        long lo = 0, hi = size, m = index;
        // Walk down from the root; each step's sibling is the other half, collected root first.
        while (hi - lo > 1) {
            long k = largestPowerOfTwoBelow(hi - lo);
            if (m < k) {
                rootward.add(rangeHash(lo + k, hi, source));
                hi = lo + k;
            } else {
                rootward.add(rangeHash(lo, lo + k, source));
                lo += k;
                m -= k;
            }
        }
        return reversed(rootward);
    }

    /**
     * The consistency proof from the tree of {@code from} leaves to the one of {@code to} leaves (RFC
     * 6962 PROOF); empty when {@code from} is 0 or equals {@code to}.
     *
     * @param from the older size
     * @param to the newer size, at least {@code from}
     * @param source the hashes of a tree of at least {@code to} leaves
     * @return the proof
     * @throws TlogException if the source fails
     */
    public static List<Hash> consistency(long from, long to, HashSource source) throws TlogException {
        if (from < 0 || from > to) {
            throw new IllegalArgumentException("no consistency proof from " + from + " to " + to);
        }
        if (from == 0 || from == to) {
            return List.of();
        }
        List<Hash> rootward = new ArrayList<>();
        long lo = 0, hi = to, m = from;
        boolean whole = true; // SUBPROOF's b: the old tree is the whole left part seen so far
        while (m != hi - lo) {
            long k = largestPowerOfTwoBelow(hi - lo);
            if (m <= k) {
                rootward.add(rangeHash(lo + k, hi, source));
                hi = lo + k;
            } else {
                rootward.add(rangeHash(lo, lo + k, source));
                lo += k;
                m -= k;
                whole = false;
            }
        }
        if (!whole) {
            rootward.add(rangeHash(lo, hi, source));
        }
        return reversed(rootward);
    }

    /**
     * Checks an inclusion proof (RFC 9162 §2.1.3.2).
     *
     * @param leafHash the leaf's hash ({@link TreeHash#leaf})
     * @param index its claimed index
     * @param size the tree size
     * @param proof the proof
     * @param root the root of the tree of {@code size} leaves (from a verified checkpoint)
     * @throws VerificationException if the proof does not lead from the leaf to the root
     */
    public static void checkInclusion(Hash leafHash, long index, long size, List<Hash> proof, Hash root)
            throws VerificationException {
        if (index < 0 || index >= size) {
            throw new VerificationException("leaf " + index + " is not in a tree of size " + size);
        }
        if (proof.size() > MAX_PROOF_HASHES) {
            throw new VerificationException("inclusion proof too long");
        }
        Walk w = new Walk(index, size - 1);
        Hash r = leafHash;
        for (Hash p : proof) {
            if (w.sn == 0) {
                throw new VerificationException("inclusion proof too long for leaf " + index + " of " + size);
            }
            r = w.siblingOnTheLeft() ? TreeHash.node(p, r) : TreeHash.node(r, p);
        }
        if (w.sn != 0) {
            throw new VerificationException("inclusion proof too short for leaf " + index + " of " + size);
        }
        if (!r.equals(root)) {
            throw new VerificationException("inclusion proof of leaf " + index + " does not give the root of size " + size);
        }
    }

    /**
     * Checks a consistency proof (RFC 9162 §2.1.4.2): the tree of {@code from} leaves is a prefix of
     * the tree of {@code to} leaves.
     *
     * @param from the older size
     * @param fromRoot its root
     * @param to the newer size
     * @param toRoot its root
     * @param proof the proof
     * @throws VerificationException if the proof fails, or {@code from > to}
     */
    public static void checkConsistency(long from, Hash fromRoot, long to, Hash toRoot, List<Hash> proof)
            throws VerificationException {
        if (from < 0 || from > to) {
            throw new VerificationException("no consistency from size " + from + " to " + to);
        }
        if (proof.size() > MAX_PROOF_HASHES) {
            throw new VerificationException("consistency proof too long");
        }
        if (from == to || from == 0) {
            if (!proof.isEmpty()) {
                throw new VerificationException("a consistency proof from " + from + " to " + to + " is empty");
            }
            if (from == 0 && !fromRoot.equals(TreeHash.emptyRoot())) {
                throw new VerificationException("the root of size 0 is not the empty tree's");
            }
            if (from == to && !fromRoot.equals(toRoot)) {
                throw new VerificationException("two different roots for size " + from);
            }
            return;
        }
        List<Hash> path = new ArrayList<>(proof.size() + 1);
        if (Long.bitCount(from) == 1) {
            path.add(fromRoot); // the old tree is a node of the new one
        }
        path.addAll(proof);
        if (path.isEmpty()) {
            throw new VerificationException("consistency proof from " + from + " to " + to + " is empty");
        }
        Walk w = new Walk(from - 1, to - 1);
        while ((w.fn & 1) == 1) {
            w.up();
        }
        Hash fr = path.get(0), sr = path.get(0);
        for (Hash c : path.subList(1, path.size())) {
            if (w.sn == 0) {
                throw new VerificationException("consistency proof from " + from + " to " + to + " too long");
            }
            if (w.siblingOnTheLeft()) {
                fr = TreeHash.node(c, fr);
                sr = TreeHash.node(c, sr);
            } else {
                sr = TreeHash.node(sr, c);
            }
        }
        if (w.sn != 0) {
            throw new VerificationException("consistency proof from " + from + " to " + to + " too short");
        }
        if (!fr.equals(fromRoot)) {
            throw new VerificationException("consistency proof does not give the root of size " + from);
        }
        if (!sr.equals(toRoot)) {
            throw new VerificationException("consistency proof does not give the root of size " + to);
        }
    }

    /**
     * The position of RFC 9162's verification algorithms: {@code fn} the node being hashed upwards,
     * {@code sn} the last node of its level. Both checks walk the same way; only what they hash
     * differs.
     */
    private static final class Walk {
        long fn, sn;

        Walk(long fn, long sn) {
            this.fn = fn;
            this.sn = sn;
        }

        void up() {
            fn >>>= 1;
            sn >>>= 1;
        }

        /**
         * Consumes one proof hash: whether it is the left sibling (else the right one). A right edge
         * node without a sibling is skipped over to the level where it has one.
         */
        boolean siblingOnTheLeft() {
            boolean left = (fn & 1) == 1 || fn == sn;
            if (left && (fn & 1) == 0) {
                do {
                    up();
                } while ((fn & 1) == 0 && fn != 0);
            }
            up();
            return left;
        }
    }

    /** MTH(D[lo:hi]) from stored perfect subtrees: one read when the range is one of them. */
    static Hash rangeHash(long lo, long hi, HashSource source) throws TlogException {
        long n = hi - lo;
        if (Long.bitCount(n) == 1 && lo % n == 0) {
            int level = Long.numberOfTrailingZeros(n);
            return source.hash(level, lo >>> level);
        }
        long k = largestPowerOfTwoBelow(n);
        return TreeHash.node(rangeHash(lo, lo + k, source), rangeHash(lo + k, hi, source));
    }

    /** The k of RFC 6962: the largest power of two smaller than n (n ≥ 2). */
    static long largestPowerOfTwoBelow(long n) {
        return Long.highestOneBit(n - 1);
    }

    private static List<Hash> reversed(List<Hash> rootward) {
        List<Hash> out = new ArrayList<>(rootward.size());
        for (int i = rootward.size() - 1; i >= 0; i--) {
            out.add(rootward.get(i));
        }
        return List.copyOf(out);
    }
}
