package dev.herald.client;

/**
 * The verifiable log said two things that cannot both be true (design-log §7.3): two checkpoints
 * of one size with different roots, a smaller checkpoint or a consistency proof that fails, a leaf
 * or tile that does not hash to a signed root, or a record listing a key whose leaf is not at its
 * {@code log_index}. Each side is signed by the log key (or the record signer), so this is evidence
 * of a forked or rewritten log, not of bad data in transit: the CLI's exit code 5. The
 * {@link TamperHook} is told ({@link TamperHook#logInconsistent}) before this is thrown, and the
 * client's stored checkpoint is left as it was.
 */
public final class LogInconsistencyException extends HeraldException {
    private final transient LogEvidence evidence;

    public LogInconsistencyException(LogEvidence evidence) {
        super("log inconsistency: " + evidence.reason()
                + evidence.directory().map(d -> " (evidence in " + d + ")").orElse(""));
        this.evidence = evidence;
    }

    public LogEvidence evidence() {
        return evidence;
    }
}
