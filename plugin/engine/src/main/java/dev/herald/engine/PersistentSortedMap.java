package dev.herald.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * An immutable sorted map whose {@link #put} and {@link #remove} return a new map in O(log n),
 * sharing all but O(log n) nodes with the old one: a service's index can change one instance
 * without copying the others, and every older version stays valid for whoever still reads it.
 *
 * <p>A weight-balanced tree (Adams 1993, as Haskell's {@code Data.Map}, with the parameters
 * delta = 3 and ratio = 2 that Hirai and Yamamoto (2011) proved correct). Balance holds for any
 * keys, whatever order they come in (callers choose instance names). Each node knows its subtree's
 * size, which is what balancing needs, and also gives {@link #countWhile} in O(log n).
 *
 * <p>Keys and values must be immutable and non-null; keys are ordered by the map's comparator only.
 */
final class PersistentSortedMap<K, V> implements Iterable<Map.Entry<K, V>> {
    private static final int DELTA = 3;
    private static final int RATIO = 2;

    private record Node<K, V>(K key, V value, Node<K, V> left, Node<K, V> right, int size) {
    }

    private final Comparator<? super K> order;
    private final Node<K, V> root;

    private PersistentSortedMap(Comparator<? super K> order, Node<K, V> root) {
        this.order = order;
        this.root = root;
    }

    static <K, V> PersistentSortedMap<K, V> empty(Comparator<? super K> order) {
        return new PersistentSortedMap<>(Objects.requireNonNull(order), null);
    }

    /** These entries, ordered by {@code order}: O(n log n), O(n) if they come in order; for loading. */
    static <K, V> PersistentSortedMap<K, V> copyOf(Comparator<? super K> order, Collection<Map.Entry<K, V>> given) {
        List<Map.Entry<K, V>> entries = new ArrayList<>(given);
        entries.sort(Map.Entry.comparingByKey(order));
        for (int i = 1; i < entries.size(); i++) {
            if (order.compare(entries.get(i - 1).getKey(), entries.get(i).getKey()) == 0) {
                throw new IllegalArgumentException("two keys are equal in this order: " + entries.get(i).getKey());
            }
        }
        return new PersistentSortedMap<>(order, build(entries, 0, entries.size()));
    }

    /** A perfectly balanced tree of {@code entries[from, to)}, which are in order. */
    private static <K, V> Node<K, V> build(List<Map.Entry<K, V>> entries, int from, int to) {
        if (from >= to) {
            return null;
        }
        int middle = (from + to) >>> 1;
        Map.Entry<K, V> entry = entries.get(middle);
        return node(Objects.requireNonNull(entry.getKey()), Objects.requireNonNull(entry.getValue()),
                build(entries, from, middle), build(entries, middle + 1, to));
    }

    int size() {
        return size(root);
    }

    boolean isEmpty() {
        return root == null;
    }

    /** The value of {@code key}, or null. */
    V get(K key) {
        Node<K, V> node = root;
        while (node != null) {
            int c = order.compare(key, node.key);
            if (c == 0) {
                return node.value;
            }
            node = c < 0 ? node.left : node.right;
        }
        return null;
    }

    boolean containsKey(K key) {
        return get(key) != null;
    }

    /** This map with {@code key} mapped to {@code value} (added, or in place of its value). */
    PersistentSortedMap<K, V> put(K key, V value) {
        Objects.requireNonNull(key);
        Objects.requireNonNull(value);
        return new PersistentSortedMap<>(order, insert(root, key, value));
    }

    /** This map without {@code key}; this map itself if it has no such key. */
    PersistentSortedMap<K, V> remove(K key) {
        if (!containsKey(key)) {
            return this;
        }
        return new PersistentSortedMap<>(order, delete(root, key));
    }

    /**
     * How many keys, from the first, satisfy {@code prefix}, which must hold for a run of keys from
     * the first and for none after (e.g. "is at most t" in the map's order): O(log n).
     */
    int countWhile(Predicate<? super K> prefix) {
        int count = 0;
        Node<K, V> node = root;
        while (node != null) {
            if (prefix.test(node.key)) {
                count += size(node.left) + 1;
                node = node.right;
            } else {
                node = node.left;
            }
        }
        return count;
    }

    /** The values in key order: O(n). */
    List<V> values() {
        List<V> values = new ArrayList<>(size());
        for (Map.Entry<K, V> entry : this) {
            values.add(entry.getValue());
        }
        return values;
    }

    /** The keys in order: O(n). */
    List<K> keys() {
        List<K> keys = new ArrayList<>(size());
        for (Map.Entry<K, V> entry : this) {
            keys.add(entry.getKey());
        }
        return keys;
    }

    /** The entries in key order. */
    @Override
    public Iterator<Map.Entry<K, V>> iterator() {
        return entriesAfter(null);
    }

    /**
     * The entries whose keys come after {@code after} in key order (all of them for null): O(log n)
     * to the first, then O(1) amortized per entry, so that a page costs what it lists.
     */
    Iterator<Map.Entry<K, V>> entriesAfter(K after) {
        return new Iterator<>() {
            private final Deque<Node<K, V>> path = new ArrayDeque<>();

            {
                if (after == null) {
                    descend(root);
                } else {
                    // The nodes whose keys are greater than after, on the way down: each is the
                    // next in order once everything in its left subtree that is also greater is done.
                    for (Node<K, V> node = root; node != null; ) {
                        if (order.compare(node.key, after) > 0) {
                            path.push(node);
                            node = node.left;
                        } else {
                            node = node.right;
                        }
                    }
                }
            }

            private void descend(Node<K, V> node) {
                for (; node != null; node = node.left) {
                    path.push(node);
                }
            }

            @Override
            public boolean hasNext() {
                return !path.isEmpty();
            }

            @Override
            public Map.Entry<K, V> next() {
                if (path.isEmpty()) {
                    throw new NoSuchElementException();
                }
                Node<K, V> node = path.pop();
                descend(node.right);
                return Map.entry(node.key, node.value);
            }
        };
    }

    /** Equal entries in the same order (the comparators are not compared). */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PersistentSortedMap<?, ?> other) || other.size() != size()) {
            return false;
        }
        Iterator<Map.Entry<K, V>> mine = iterator();
        for (Map.Entry<?, ?> theirs : other) {
            if (!mine.next().equals(theirs)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = 0;
        for (Map.Entry<K, V> entry : this) {
            hash = 31 * hash + entry.hashCode();
        }
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<K, V> entry : this) {
            out.append(out.length() > 1 ? ", " : "").append(entry.getKey()).append('=').append(entry.getValue());
        }
        return out.append('}').toString();
    }

    /**
     * Checks the tree's invariants (keys in order, sizes right, every node balanced); throws
     * {@link IllegalStateException} naming the first broken one. For tests.
     */
    void checkInvariants() {
        check(root, null, null);
    }

    private int check(Node<K, V> node, K above, K below) {
        if (node == null) {
            return 0;
        }
        if ((above != null && order.compare(above, node.key) >= 0) || (below != null && order.compare(node.key, below) >= 0)) {
            throw new IllegalStateException("key out of order: " + node.key);
        }
        int left = check(node.left, above, node.key);
        int right = check(node.right, node.key, below);
        if (node.size != left + right + 1) {
            throw new IllegalStateException("wrong size at " + node.key);
        }
        if (left + right > 1 && (left > DELTA * right || right > DELTA * left)) {
            throw new IllegalStateException("unbalanced at " + node.key + ": " + left + " / " + right);
        }
        return node.size;
    }

    private Node<K, V> insert(Node<K, V> node, K key, V value) {
        if (node == null) {
            return new Node<>(key, value, null, null, 1);
        }
        int c = order.compare(key, node.key);
        if (c == 0) {
            return new Node<>(key, value, node.left, node.right, node.size);
        }
        return c < 0
                ? balance(node.key, node.value, insert(node.left, key, value), node.right)
                : balance(node.key, node.value, node.left, insert(node.right, key, value));
    }

    /** {@code node} without {@code key}, which it holds. */
    private Node<K, V> delete(Node<K, V> node, K key) {
        int c = order.compare(key, node.key);
        if (c < 0) {
            return balance(node.key, node.value, delete(node.left, key), node.right);
        }
        if (c > 0) {
            return balance(node.key, node.value, node.left, delete(node.right, key));
        }
        return glue(node.left, node.right);
    }

    /** Joins two balanced subtrees, all of {@code left} before all of {@code right}, whose sizes were balanced. */
    private static <K, V> Node<K, V> glue(Node<K, V> left, Node<K, V> right) {
        if (left == null) {
            return right;
        }
        if (right == null) {
            return left;
        }
        if (left.size > right.size) {
            Node<K, V> last = left;
            while (last.right != null) {
                last = last.right;
            }
            return balance(last.key, last.value, withoutLast(left), right);
        }
        Node<K, V> first = right;
        while (first.left != null) {
            first = first.left;
        }
        return balance(first.key, first.value, left, withoutFirst(right));
    }

    private static <K, V> Node<K, V> withoutFirst(Node<K, V> node) {
        return node.left == null ? node.right : balance(node.key, node.value, withoutFirst(node.left), node.right);
    }

    private static <K, V> Node<K, V> withoutLast(Node<K, V> node) {
        return node.right == null ? node.left : balance(node.key, node.value, node.left, withoutLast(node.right));
    }

    /** A node of two subtrees that were balanced before one of them gained or lost one key. */
    private static <K, V> Node<K, V> balance(K key, V value, Node<K, V> left, Node<K, V> right) {
        int l = size(left);
        int r = size(right);
        if (l + r <= 1) {
            return node(key, value, left, right);
        }
        if (r > DELTA * l) {
            return size(right.left) < RATIO * size(right.right)
                    ? node(right.key, right.value, node(key, value, left, right.left), right.right)
                    : node(right.left.key, right.left.value, node(key, value, left, right.left.left),
                            node(right.key, right.value, right.left.right, right.right));
        }
        if (l > DELTA * r) {
            return size(left.right) < RATIO * size(left.left)
                    ? node(left.key, left.value, left.left, node(key, value, left.right, right))
                    : node(left.right.key, left.right.value, node(left.key, left.value, left.left, left.right.left),
                            node(key, value, left.right.right, right));
        }
        return node(key, value, left, right);
    }

    private static <K, V> Node<K, V> node(K key, V value, Node<K, V> left, Node<K, V> right) {
        return new Node<>(key, value, left, right, size(left) + size(right) + 1);
    }

    private static int size(Node<?, ?> node) {
        return node == null ? 0 : node.size;
    }
}
