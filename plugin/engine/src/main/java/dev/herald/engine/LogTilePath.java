package dev.herald.engine;

import dev.herald.sdk.Field;
import dev.herald.sdk.Path;
import dev.herald.sdk.VaultException;
import dev.herald.tlog.MalformedException;
import dev.herald.tlog.TileId;

/**
 * {@code log/tile/*tile}: the tiles and entry bundles of the mount's log, as C2SP tlog-tiles serves
 * them ({@code tile/<L>/<N>[.p/<W>]}, {@code tile/entries/<N>[.p/<W>]}). Needs no token.
 */
final class LogTilePath {
    static final String PATTERN = "log/tile/*tile";
    static final Field<String> TILE = Field.string("tile",
            "The tile's tlog-tiles path after tile/: <L>/<N>[.p/<W>] or entries/<N>[.p/<W>], N as x001/x234/067.");

    private LogTilePath() {
    }

    static Path definition(MountState mount) {
        return Path.pattern(PATTERN)
                .fields(TILE)
                .read("Read a tile or entry bundle of the mount's log (C2SP tlog-tiles).", request -> {
                    TileId id;
                    try {
                        id = TileId.parse("tile/" + request.get(TILE));
                    } catch (MalformedException e) {
                        // A path that names no tile names nothing here: not found, as tlog-tiles clients expect.
                        throw VaultException.notFound("no such tile: " + e.getMessage());
                    }
                    return LogAnswers.bytes(LogAnswers.BINARY, mount.logReader().tile(id), LogAnswers.IMMUTABLE);
                })
                .help("The log's tiles and entry bundles, for clients that check or mirror the whole log.", """
                        C2SP tlog-tiles: log/tile/<L>/<N> is a full tile of 256 hashes of level L (8,192
                        bytes), log/tile/entries/<N> a full bundle of 256 leaves (each a 2-byte length and
                        the leaf), and .p/<W> their first W, for the partial tile at the right edge of a
                        tree. N is written in groups of three digits, x on all but the last
                        (x001/x234/067). Anything else, and anything beyond the checkpoint this node
                        serves (log/checkpoint), is 404. The bytes at a path never change: clients and
                        caches may keep them (Cache-Control: immutable). It needs no token.
                        """);
    }
}
