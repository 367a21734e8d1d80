package dev.parley.session;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that write to sockets: every {@link Outbox} drains on them, so the threads that decide what to
 * send (connection threads, the sequencer, under a room's monitor or not) only ever enqueue. A failed write
 * makes the container run the connection's close callbacks on the writing thread; here that thread holds no
 * lock of Parley's. A fixed pool, one thread per core (at least two); rejects tasks once the application stops.
 */
@ApplicationScoped
public class OutboundWriters implements Executor {

    @Resource
    ManagedThreadFactory threads;

    private ThreadPoolExecutor pool;
    /** When the outstanding probe was queued ({@link System#nanoTime}), or 0 when none is outstanding. */
    private final AtomicLong probeQueuedAt = new AtomicLong();

    @PostConstruct
    void start() {
        int size = Math.max(2, Runtime.getRuntime().availableProcessors());
        AtomicInteger count = new AtomicInteger();
        pool = new ThreadPoolExecutor(size, size, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread t = threads.newThread(task);
            t.setName("parley-writer-" + count.incrementAndGet());
            return t;
        });
    }

    /**
     * How long the writers have been failing to reach a probe task, for liveness checks: each call queues a no-op
     * behind every write waiting (unless one is still outstanding) and returns how long the outstanding one has
     * waited, zero when none is. Writes normally take microseconds, so a long wait means the writers are stuck.
     */
    public Duration stalledFor() {
        long now = Math.max(1, System.nanoTime());
        long queued = probeQueuedAt.get();
        if (queued != 0) {
            return Duration.ofNanos(now - queued);
        }
        if (probeQueuedAt.compareAndSet(0, now)) {
            try {
                pool.execute(() -> probeQueuedAt.set(0));
            } catch (RejectedExecutionException e) {
                probeQueuedAt.set(0); // stopping: nothing to probe
            }
        }
        return Duration.ZERO;
    }

    @PreDestroy
    void stop() {
        pool.shutdown();
    }

    /** Runs a write task on one of the pool's threads. */
    @Override
    public void execute(Runnable task) {
        pool.execute(task);
    }
}
