package dev.herald.engine;

import dev.herald.sdk.Storage;
import dev.herald.sdk.VaultException;
import dev.herald.tlog.NoteSigner;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * The one writer of the mount's log (docs/design-log.md §2.2–§2.5): changes are sequenced here
 * (each leaf gets the next index, under a lock held for no I/O), queued into the open batch, and
 * committed by one thread in two writes: the batch record with the tiles it completes, then the
 * new signed checkpoint with every entry the batch's changes write. A change is acknowledged
 * ({@link Ticket#await}) only after the checkpoint that holds its leaves is stored.
 *
 * <p>Group commit without a timer: the thread takes whatever is queued when it is free, so a lone
 * change is written at once and, under load, a batch holds what arrived during the previous one.
 * A failed write is retried with the same bytes until it succeeds or the writer is closed; no new
 * batch starts meanwhile, so the tree never forks and indices are never reused.
 */
final class LogWriter implements AutoCloseable {
    /**
     * At most this many leaves in one batch of several changes (a single change of more is a batch
     * of its own, whose record is kept outside the records' ring: {@link LogStore#RING_LEAVES}).
     */
    static final int MAX_LEAVES = 256;
    /** At most this many bytes in one batch record (base64 included), under the servers' entry limits. */
    static final int MAX_RECORD_BYTES = 400 * 1024;
    private static final Duration FIRST_RETRY = Duration.ofMillis(10);
    private static final Duration LAST_RETRY = Duration.ofSeconds(1);

    private final Storage storage;
    private final LogTree tree; // the writer thread's only
    private final Clock clock;
    /** Told each tree once it is committed, before the changes in it are acknowledged. */
    private final Consumer<LogReader.View> committed;
    private final Object sequencer = new Object();
    /** Under {@link #sequencer}: the next leaf index, the queued changes, whether closed. */
    private long nextIndex;
    private final List<Queued> open = new ArrayList<>();
    private boolean closed;
    private final Thread thread;

    /** What a change writes: its leaves (in index order) and its storage entries. */
    record Encoded(List<byte[]> leaves, Map<String, byte[]> writes) {
        Encoded {
            leaves = List.copyOf(leaves);
            writes = Collections.unmodifiableMap(new LinkedHashMap<>(writes));
        }
    }

    /** A change's place in the log once committed: its first leaf index and the checkpoint that holds it. */
    record Committed(long firstIndex, int leaves, String checkpoint) {
    }

    /**
     * What the change's owner does when its fate is known, on the writer's thread, in sequence
     * order, before the change's caller is answered: so that states move forward in the order the
     * log has them.
     */
    interface Outcome {
        Outcome NONE = new Outcome() {
            @Override
            public void committed(Committed committed) {
            }

            @Override
            public void failed() {
            }
        };

        /** The change's leaves are in a stored checkpoint and its entries are stored. */
        void committed(Committed committed);

        /** The writer closed first: the change's entries may or may not be stored (the next start rolls forward). */
        void failed();
    }

    private record Queued(Encoded change, long firstIndex, Outcome outcome, CompletableFuture<Committed> done) {
    }

    /** A change sequenced and queued: wait for it to be committed. */
    static final class Ticket {
        private final CompletableFuture<Committed> done;

        private Ticket(CompletableFuture<Committed> done) {
            this.done = done;
        }

        /** Whether the change is committed or has failed: {@link #await} answers at once. */
        boolean isDone() {
            return done.isDone();
        }

        /**
         * Waits until the change is in a stored checkpoint.
         *
         * @throws VaultException 503 if it is not by {@code timeout}, or the writer closed first: the
         *                        change may still take effect (a retry then finds it done)
         */
        Committed await(Duration timeout) {
            try {
                return done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new VaultException(503, "log append pending: the change is queued for the mount's log and may still take effect; retry");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VaultException(503, "log append pending: interrupted while waiting; retry");
            } catch (ExecutionException e) {
                throw new VaultException(503, e.getCause().getMessage());
            }
        }
    }

    /** The writer is closed (the mount is going away): nothing more is sequenced. */
    static final class LogClosedException extends VaultException {
        LogClosedException() {
            super(503, "the mount's log is closed (the mount is going away); retry");
        }
    }

    private LogWriter(Storage storage, LogTree tree, Clock clock, Consumer<LogReader.View> committed) {
        this.storage = storage;
        this.tree = tree;
        this.clock = clock;
        this.committed = committed;
        this.nextIndex = tree.size();
        this.thread = Thread.ofPlatform().daemon().name("herald-log-writer").unstarted(this::run);
    }

    /**
     * The writer of the log in {@code storage}, after rolling forward every batch whose record was
     * stored and whose checkpoint was not (§2.4): on the active node, at mount setup, before any
     * request is served.
     */
    static LogWriter open(Storage storage, NoteSigner signer, Clock clock, Consumer<String> written) {
        return open(storage, signer, clock, written, view -> { });
    }

    /** As {@link #open(Storage, NoteSigner, Clock, Consumer)}, telling {@code committed} each tree it commits (and the one it starts from). */
    static LogWriter open(Storage storage, NoteSigner signer, Clock clock, Consumer<String> written,
                          Consumer<LogReader.View> committed) {
        LogTree tree = LogTree.load(storage, signer);
        tree.rollForward().forEach(written);
        committed.accept(new LogReader.View(tree.checkpoint(), tree.tail(), true));
        LogWriter writer = new LogWriter(storage, tree, clock, committed);
        writer.thread.start();
        return writer;
    }

    /**
     * Sequences a change of {@code leafCount} leaves: {@code encode} gets its first leaf index and
     * gives its leaves and entries (which may name those indices); it runs under the sequencer's
     * lock, so it must do no I/O. The change is queued behind every change sequenced before it.
     */
    Ticket submit(int leafCount, LongFunction<Encoded> encode, Outcome outcome) {
        synchronized (sequencer) {
            if (closed) {
                throw new LogClosedException();
            }
            long first = nextIndex;
            Encoded change = encode.apply(first);
            if (change.leaves().size() != leafCount) {
                throw new IllegalStateException("a change encoded " + change.leaves().size() + " leaves, not " + leafCount);
            }
            nextIndex += leafCount;
            CompletableFuture<Committed> done = new CompletableFuture<>();
            open.add(new Queued(change, first, outcome, done));
            sequencer.notifyAll();
            return new Ticket(done);
        }
    }

    private void run() {
        while (true) {
            List<Queued> batch;
            synchronized (sequencer) {
                while (open.isEmpty() && !closed) {
                    try {
                        sequencer.wait();
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                if (closed) {
                    batch = null;
                } else {
                    batch = takeBatch();
                }
            }
            if (batch == null) {
                failQueued();
                return;
            }
            String checkpoint;
            try {
                checkpoint = commit(batch);
            } catch (RuntimeException | Error e) {
                // Closed while retrying; or a fault of the writer itself (nothing a request sends can
                // cause one: leaves and entries are bounded before they are sequenced). Either way
                // no later batch may start at an index this one may have taken.
                batch.forEach(LogWriter::fail);
                failQueued();
                return;
            }
            for (Queued queued : batch) {
                Committed committed = new Committed(queued.firstIndex(), queued.change().leaves().size(), checkpoint);
                try {
                    queued.outcome().committed(committed);
                } finally {
                    queued.done().complete(committed);
                }
            }
        }
    }

    /** The queued changes that fit one batch, at least one, in sequence order. */
    private List<Queued> takeBatch() {
        List<Queued> batch = new ArrayList<>();
        int leaves = 0;
        long bytes = 0;
        while (!open.isEmpty()) {
            Queued next = open.getFirst();
            int moreLeaves = next.change().leaves().size();
            long moreBytes = recordBytes(next.change());
            if (!batch.isEmpty() && (leaves + moreLeaves > MAX_LEAVES || bytes + moreBytes > MAX_RECORD_BYTES)) {
                break;
            }
            batch.add(open.removeFirst());
            leaves += moreLeaves;
            bytes += moreBytes;
        }
        return batch;
    }

    /** About what a change adds to a batch record: base64 of its leaves and values, and its keys. */
    private static long recordBytes(Encoded change) {
        long bytes = 0;
        for (byte[] leaf : change.leaves()) {
            bytes += (leaf.length + 2) / 3 * 4 + 3;
        }
        for (Map.Entry<String, byte[]> write : change.writes().entrySet()) {
            bytes += write.getKey().length() + (write.getValue().length + 2) / 3 * 4 + 6;
        }
        return bytes;
    }

    /** Fails every queued change; outside the sequencer's lock, since outcomes take their owners' locks. */
    private void failQueued() {
        List<Queued> left;
        synchronized (sequencer) {
            closed = true; // nothing more is sequenced
            left = new ArrayList<>(open);
            open.clear();
        }
        left.forEach(LogWriter::fail);
    }

    private static void fail(Queued queued) {
        try {
            queued.outcome().failed();
        } finally {
            queued.done().completeExceptionally(new ClosedException());
        }
    }

    /** Writes one batch; returns the checkpoint note that holds it (the previous one if it has no leaves). */
    private String commit(List<Queued> batch) {
        List<byte[]> leaves = new ArrayList<>();
        Map<String, byte[]> writes = new LinkedHashMap<>();
        for (Queued queued : batch) {
            leaves.addAll(queued.change().leaves());
            queued.change().writes().forEach((key, value) -> {
                writes.remove(key); // the last value of a key, at the place of its last write
                writes.put(key, value);
            });
        }
        if (leaves.isEmpty()) {
            Map<String, byte[]> marker = tree.completeMarker();
            writes.putAll(marker);
            retrying(() -> storage.putAll(writes));
            tree.completeMarkerStored(marker);
            return tree.checkpoint();
        }
        LogStore.Batch record = new LogStore.Batch(tree.size(), leaves, writes, clock.instant());
        LogTree.Step step = tree.prepare(record);
        retrying(() -> storage.putAll(step.first()));
        retrying(() -> storage.putAll(step.second()));
        tree.advance(step);
        committed.accept(new LogReader.View(tree.checkpoint(), tree.tail(), true));
        retrying(tree::deleteRedundantOversized);
        return tree.checkpoint();
    }

    /** The writer closed while the change was queued or being written. */
    private static final class ClosedException extends RuntimeException {
        ClosedException() {
            super("log append pending: the mount's log closed before the change was known written; it may still take effect; retry",
                    null, false, false);
        }
    }

    private void retrying(Runnable write) {
        Duration wait = FIRST_RETRY;
        while (true) {
            try {
                write.run();
                return;
            } catch (RuntimeException e) {
                synchronized (sequencer) {
                    if (closed) {
                        throw new ClosedException();
                    }
                    try {
                        sequencer.wait(wait.toMillis());
                    } catch (InterruptedException interrupted) {
                        closed = true;
                        throw new ClosedException();
                    }
                    if (closed) {
                        throw new ClosedException();
                    }
                }
                wait = wait.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : wait.multipliedBy(2);
            }
        }
    }

    /** Stops the writer: changes not yet committed fail (their callers get an error; they may be committed on the next start). */
    @Override
    public void close() {
        synchronized (sequencer) {
            closed = true;
            sequencer.notifyAll();
        }
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
