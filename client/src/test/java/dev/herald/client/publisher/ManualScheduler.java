package dev.herald.client.publisher;

import dev.herald.client.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler whose tasks run only when the test says so, after moving the clock to their time:
 * no thread and no waiting.
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final ManualClock clock;
    private final List<Task> tasks = new ArrayList<>();

    ManualScheduler(ManualClock clock) {
        this.clock = clock;
    }

    /** A scheduled task: the delay it was scheduled with, counted from the clock's time then. */
    final class Task implements ScheduledFuture<Object> {
        final Runnable runnable;
        final Duration delay;
        final long dueMillis;
        boolean cancelled;
        boolean done;

        Task(Runnable runnable, Duration delay) {
            this.runnable = runnable;
            this.delay = delay;
            this.dueMillis = clock.instant().toEpochMilli() + delay.toMillis();
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueMillis - clock.instant().toEpochMilli(), TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.MILLISECONDS), other.getDelay(TimeUnit.MILLISECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterrupt) {
            cancelled = true;
            return !done;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done || cancelled;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }

    /** The pending (not cancelled) tasks. */
    synchronized List<Task> pending() {
        return tasks.stream().filter(task -> !task.cancelled && !task.done).toList();
    }

    /** The one pending task (the loop keeps exactly one). */
    Task next() {
        List<Task> pending = pending();
        if (pending.size() != 1) {
            throw new AssertionError("expected one pending task, found " + pending.size());
        }
        return pending.get(0);
    }

    /** Moves the clock to the next task's time and runs it; returns its delay. */
    Duration runNext() {
        Task task = pending().stream().min(Comparator.comparingLong(t -> t.dueMillis)).orElseThrow();
        long wait = task.dueMillis - clock.instant().toEpochMilli();
        if (wait > 0) {
            clock.advance(Duration.ofMillis(wait));
        }
        task.done = true;
        task.runnable.run();
        return task.delay;
    }

    @Override
    public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Task task = new Task(command, Duration.ofMillis(unit.toMillis(delay)));
        tasks.add(task);
        return task;
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void shutdown() {
    }

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }

    @Override
    public void execute(Runnable command) {
        throw new UnsupportedOperationException();
    }
}
