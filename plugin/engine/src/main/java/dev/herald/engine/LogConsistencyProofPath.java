package dev.herald.engine;

import dev.herald.sdk.Field;
import dev.herald.sdk.Path;
import dev.herald.sdk.VaultException;

import java.util.stream.Collectors;

/** {@code log/proof/consistency}: that the tree of one size is a prefix of a larger one. Needs no token. */
final class LogConsistencyProofPath {
    static final String PATTERN = "log/proof/consistency";
    static final Field<Long> FROM = Field.integer("from", "The size of the older tree.").atLeast(0).required();
    static final Field<Long> TO = Field.integer("to", "The size of the newer tree, at least from.").atLeast(0).required();

    private LogConsistencyProofPath() {
    }

    static Path definition(MountState mount) {
        return Path.pattern(PATTERN)
                .fields(FROM, TO)
                .read("Read the consistency proof between two sizes of the log (one base64 hash per line).", request -> {
                    long from = request.find(FROM).orElseThrow(() -> VaultException.badRequest("missing from: " + FROM.description()));
                    long to = request.find(TO).orElseThrow(() -> VaultException.badRequest("missing to: " + TO.description()));
                    String body = mount.logReader().consistency(from, to).stream().map(hash -> hash.base64() + "\n")
                            .collect(Collectors.joining());
                    return LogAnswers.text(body, LogAnswers.IMMUTABLE);
                })
                .help("The RFC 9162 consistency proof from the tree of from leaves to that of to.", """
                        One base64 hash per line (empty when from is 0 or equals to): with it, a client
                        that holds checkpoints of both sizes checks that the log only appended between
                        them. Clients can compute it from the tiles; this path saves the reads. to beyond
                        the checkpoint this node serves is 404. It needs no token.
                        """);
    }
}
