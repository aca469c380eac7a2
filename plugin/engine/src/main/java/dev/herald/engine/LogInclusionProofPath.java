package dev.herald.engine;

import dev.herald.sdk.Field;
import dev.herald.sdk.Path;
import dev.herald.sdk.VaultException;

/** {@code log/proof/inclusion}: a C2SP tlog-proof that a leaf is in the mount's log. Needs no token. */
final class LogInclusionProofPath {
    static final String PATTERN = "log/proof/inclusion";
    static final Field<Long> INDEX = Field.integer("index", "The leaf's index in the log (0 for the first).").atLeast(0).required();
    static final Field<Long> SIZE = Field.integer("size",
            "The size of the tree to prove it in (a checkpoint's size); the latest checkpoint's if absent.").atLeast(1);

    private LogInclusionProofPath() {
    }

    static Path definition(MountState mount) {
        return Path.pattern(PATTERN)
                .fields(INDEX, SIZE)
                .read("Read a tlog-proof that a leaf is in the tree of a given size.", request -> {
                    long index = request.find(INDEX).orElseThrow(() -> VaultException.badRequest("missing index: " + INDEX.description()));
                    String proof = mount.logReader().inclusion(index, request.find(SIZE));
                    // The proof for the latest size changes with the log; the one for a given size never does.
                    return LogAnswers.text(proof, request.has(SIZE) ? LogAnswers.IMMUTABLE : "max-age=0");
                })
                .help("An inclusion proof of a leaf, with the leaf and the checkpoint it is proved under.", """
                        A C2SP tlog-proof (text/plain): the leaf itself (extra, base64), its index, the
                        hashes from it to the root, and the checkpoint of the tree of size leaves (the
                        latest by default). A client that holds a checkpoint of that size checks the proof
                        against its own root. Clients can compute the same proof from the tiles; this path
                        saves the reads. size beyond the checkpoint this node serves is 404. It needs no
                        token.
                        """);
    }
}
