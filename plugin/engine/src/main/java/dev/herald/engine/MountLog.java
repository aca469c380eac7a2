package dev.herald.engine;

import dev.herald.sdk.Storage;
import dev.herald.sdk.StorageException;
import dev.herald.tlog.NoteSigner;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The mount's log: its key and its one writer, opened on the active node when first needed (the
 * first change, or {@link #initialize} if the mount already has a log, which rolls forward what a
 * crash left), closed with the mount. The key is made at the first append, so the origin it is
 * named by takes the config of that moment.
 */
final class MountLog implements AutoCloseable {
    private final Storage storage;
    private final Settings settings;
    private final Clock clock;
    /** Told each storage key a roll-forward wrote, so that no cache keeps what it replaced. */
    private final Consumer<String> written;
    /** Told each tree the writer commits (the mount's {@link LogReader}). */
    private final Consumer<LogReader.View> committed;
    private LogWriter writer; // guarded by this
    private boolean closed; // guarded by this
    /** {@link #ready} found no log key: until this node's writer makes one, there is nothing to roll forward. */
    private boolean noLogSeen; // guarded by this

    MountLog(Storage storage, Settings settings, Clock clock, Consumer<String> written) {
        this(storage, settings, clock, written, view -> { });
    }

    MountLog(Storage storage, Settings settings, Clock clock, Consumer<String> written, Consumer<LogReader.View> committed) {
        this.committed = committed;
        this.storage = storage;
        this.settings = settings;
        this.clock = clock;
        this.written = written;
    }

    /** At mount setup on the active node, once storage is writable: finishes what a crash left. */
    void initialize() {
        try {
            if (LogKey.load(storage).isPresent()) {
                writer();
            }
        } catch (StorageException e) {
            // Storage unavailable at setup: the first change opens the writer (and rolls forward).
        }
    }

    /**
     * Before the registry reads a service from storage on the active node: what a crash left is
     * rolled forward first (a batch whose first write landed and whose second did not holds a
     * change the next writer applies). {@link #initialize} does it at setup, but a server may send
     * requests before {@code Initialize} (a plugin restarted after a crash), or {@code Initialize}
     * may have found storage unavailable: a read before the roll-forward would serve the state
     * without that change, and the same read a moment later the state with it. A mount without a
     * log key has nothing to roll forward (and none is made here: reads make no key).
     */
    void ready() {
        synchronized (this) {
            if (writer != null || closed || noLogSeen) {
                return;
            }
        }
        if (LogKey.load(storage).isPresent()) {
            writer();
        } else {
            synchronized (this) {
                // Only this node's writer makes the key, and it sets writer when it does.
                noLogSeen = writer == null;
            }
        }
    }

    /** The writer, opened (and the log key made) now if this is the log's first use here. */
    synchronized LogWriter writer() {
        if (closed) {
            throw new LogWriter.LogClosedException();
        }
        if (writer == null) {
            NoteSigner signer = LogKey.load(storage).orElseGet(() -> LogKey.create(storage,
                    LogKey.defaultOrigin(settings.get().issuer(), new SecureRandom()), clock.instant()));
            writer = LogWriter.open(storage, signer, clock, written, committed);
        }
        return writer;
    }

    /** The writer if it is open: the latest checkpoint is known here. */
    synchronized Optional<LogWriter> open() {
        return Optional.ofNullable(writer);
    }

    @Override
    public void close() {
        LogWriter closing;
        synchronized (this) {
            closed = true;
            closing = writer;
            writer = null;
        }
        if (closing != null) {
            closing.close();
        }
    }
}
