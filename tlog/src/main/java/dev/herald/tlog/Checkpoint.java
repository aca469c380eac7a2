package dev.herald.tlog;

import java.util.ArrayList;
import java.util.List;

/**
 * A C2SP {@code tlog-checkpoint} body: origin, tree size, root hash, optional extension lines. It is
 * the text of a signed note ({@link #body()}); see {@link SignedCheckpoint} for the signed form.
 *
 * @param origin the log's identity (its first line; for Herald the log key's name)
 * @param size the tree size
 * @param root the root hash of the tree of that size
 * @param extensions extension lines, each non-empty (Herald writes none)
 */
public record Checkpoint(String origin, long size, Hash root, List<String> extensions) {
    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException if a line would be empty or contain a newline or a control character
     */
    public Checkpoint {
        extensions = List.copyOf(extensions);
        if (!isLine(origin)) {
            throw new IllegalArgumentException("the origin is one non-empty line");
        }
        if (size < 0) {
            throw new IllegalArgumentException("negative tree size");
        }
        if (root == null) {
            throw new IllegalArgumentException("no root");
        }
        for (String e : extensions) {
            if (!isLine(e)) {
                throw new IllegalArgumentException("an extension is one non-empty line");
            }
        }
    }

    /**
     * {@return a checkpoint without extension lines}
     *
     * @param origin the log's origin
     * @param size the tree size
     * @param root the root
     */
    public static Checkpoint of(String origin, long size, Hash root) {
        return new Checkpoint(origin, size, root, List.of());
    }

    /** {@return the note text: one line each for origin, size, root and the extensions} */
    public String body() {
        StringBuilder b = new StringBuilder(origin).append('\n').append(size).append('\n').append(root.base64()).append('\n');
        for (String e : extensions) {
            b.append(e).append('\n');
        }
        return b.toString();
    }

    /**
     * {@return the checkpoint it spells}
     *
     * @param body a note text
     * @throws MalformedException if it has fewer than three lines, an empty line, a size with a leading
     *     zero, or a root that is not the canonical base64 of 32 bytes
     */
    public static Checkpoint parse(String body) throws MalformedException {
        if (body.isEmpty() || body.charAt(body.length() - 1) != '\n') {
            throw new MalformedException("a checkpoint ends in a newline");
        }
        String[] lines = body.substring(0, body.length() - 1).split("\n", -1);
        if (lines.length < 3) {
            throw new MalformedException("a checkpoint has at least three lines");
        }
        List<String> ext = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            if (!isLine(lines[i])) {
                throw new MalformedException("a checkpoint has an empty line or a control character (line " + (i + 1) + ")");
            }
            if (i >= 3) {
                ext.add(lines[i]);
            }
        }
        return new Checkpoint(lines[0], Encoding.decimal(lines[1], "the checkpoint's tree size"), Hash.fromBase64(lines[2]), ext);
    }

    private static boolean isLine(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < 0x20) {
                return false;
            }
        }
        return true;
    }
}
