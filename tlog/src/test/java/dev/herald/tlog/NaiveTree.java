package dev.herald.tlog;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 6962 §2.1 written down as literally as possible (recursive MTH, PATH, PROOF over a list of
 * leaf hashes): slow, obviously right, and independent of the code under test except for the two
 * hash functions.
 */
final class NaiveTree {
    private NaiveTree() {}

    static Hash mth(List<Hash> d) {
        if (d.isEmpty()) {
            return TreeHash.emptyRoot();
        }
        if (d.size() == 1) {
            return d.get(0);
        }
        int k = k(d.size());
        return TreeHash.node(mth(d.subList(0, k)), mth(d.subList(k, d.size())));
    }

    static List<Hash> path(int m, List<Hash> d) {
        List<Hash> out = new ArrayList<>();
        if (d.size() <= 1) {
            return out;
        }
        int k = k(d.size());
        if (m < k) {
            out.addAll(path(m, d.subList(0, k)));
            out.add(mth(d.subList(k, d.size())));
        } else {
            out.addAll(path(m - k, d.subList(k, d.size())));
            out.add(mth(d.subList(0, k)));
        }
        return out;
    }

    static List<Hash> proof(int m, List<Hash> d) {
        if (m == 0 || m == d.size()) {
            return List.of();
        }
        return subproof(m, d, true);
    }

    private static List<Hash> subproof(int m, List<Hash> d, boolean b) {
        List<Hash> out = new ArrayList<>();
        if (m == d.size()) {
            if (!b) {
                out.add(mth(d));
            }
            return out;
        }
        int k = k(d.size());
        if (m <= k) {
            out.addAll(subproof(m, d.subList(0, k), b));
            out.add(mth(d.subList(k, d.size())));
        } else {
            out.addAll(subproof(m - k, d.subList(k, d.size()), false));
            out.add(mth(d.subList(0, k)));
        }
        return out;
    }

    /** The largest power of two smaller than n, by counting up (not by bit tricks). */
    private static int k(int n) {
        int k = 1;
        while (k * 2 < n) {
            k *= 2;
        }
        return k;
    }
}
