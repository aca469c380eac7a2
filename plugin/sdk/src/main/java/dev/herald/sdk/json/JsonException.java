package dev.herald.sdk.json;

/**
 * Malformed JSON text. The message says what is wrong and at which character offset; it quotes at
 * most a few characters of the input, because request bodies can carry secrets and messages end up
 * in logs and in responses.
 */
public final class JsonException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The index of the offending character in the input. */
    private final int offset;

    /**
     * Malformed text, found at {@code offset}.
     *
     * @param problem what is wrong, without the offset
     * @param offset  the index of the offending character in the input
     */
    public JsonException(String problem, int offset) {
        super(problem + " at offset " + offset);
        this.offset = offset;
    }

    /** {@return the index of the offending character in the input text} */
    public int offset() {
        return offset;
    }
}
