package dev.herald.tlog;

import java.util.ArrayList;
import java.util.List;

/** Every hash of every perfect subtree of a list of leaves, in memory: a fast {@link HashSource} for tests. */
final class MemoryTree implements HashSource {
    private final List<List<Hash>> levels = new ArrayList<>();

    MemoryTree(List<Hash> leafHashes) {
        levels.add(List.copyOf(leafHashes));
        while (levels.get(levels.size() - 1).size() > 1) {
            List<Hash> below = levels.get(levels.size() - 1), up = new ArrayList<>();
            for (int i = 0; i + 1 < below.size(); i += 2) {
                up.add(TreeHash.node(below.get(i), below.get(i + 1)));
            }
            levels.add(up);
        }
    }

    static MemoryTree ofLeaves(List<byte[]> leaves) {
        return new MemoryTree(leaves.stream().map(TreeHash::leaf).toList());
    }

    int size() {
        return levels.get(0).size();
    }

    List<Hash> leafHashes() {
        return levels.get(0);
    }

    @Override
    public Hash hash(int level, long index) throws TlogException {
        if (level >= levels.size() || index >= levels.get(level).size()) {
            throw new MalformedException("no hash " + level + "/" + index + " in a tree of " + size());
        }
        return levels.get(level).get((int) index);
    }
}
