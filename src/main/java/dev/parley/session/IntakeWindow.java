package dev.parley.session;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * One connection's intake window: the bytes of the messages it sent that the server accepted but has not yet
 * written out to the members that read. The connection's own thread {@link #open opens} a {@link Receipt} for each
 * message it accepts and, before it takes the next frame, {@link #await waits} while more than the window is
 * outstanding. The connection then stops reading, and TCP slows the client down to the pace of the writes.
 * <p>
 * A message is written out once every outbox it was queued on has handed it to its socket (or dropped it). An
 * outbox that is already lagging (its oldest frame has waited longer than the lag bound) does not hold a receipt
 * at all, and a receipt older than the lag bound stops counting: so a member that does not read holds a sender up
 * for at most that long, once, and is then closed by its own outbox's rules, never waited for.
 * <p>
 * The same window also paces a backend's publishes into one room (the HTTP API), where several request threads
 * {@link #open} and {@link #await(long) wait} at once: each waits for at most the time it is given, and is told
 * whether the window came within its limit.
 * <p>
 * Thread-safety: {@link #open} and {@link #await} may be called by any threads, several at once (a connection's come
 * from its own thread only: the container never runs two callbacks of one connection at once); {@link Receipt#hold}
 * and {@link Receipt#done} by any thread, under any lock (they only count and unpark); {@link #close} by any thread.
 * No lock at all: the wait holds none.
 */
public final class IntakeWindow {

    private final long limitBytes;
    private final long maxHoldNanos;
    private final LongSupplier clock;
    private final AtomicLong outstanding = new AtomicLong();
    /**
     * Receipts not yet known to be settled, oldest first. Openers add; whoever finds the head settled or held too long
     * removes that very receipt ({@code remove(r)}, never a blind {@code poll}), so concurrent pruners never drop one
     * another's receipts.
     */
    private final Queue<Receipt> open = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Semaphore waiters;
    private final Waits waits;
    /** The threads parked in a wait (usually none, a connection's one, or a few API requests). */
    private final CopyOnWriteArrayList<Thread> parked = new CopyOnWriteArrayList<>();

    /**
     * Told how waits went, for counting (the metrics): on the waiting thread, without blocking, holding no lock.
     */
    public interface Waits {
        /** Nothing is told. */
        Waits NONE = new Waits() {
            @Override
            public void waited(long nanos) {
            }

            @Override
            public void unpaced() {
            }
        };

        /** A thread found the window over its limit and waited {@code nanos} (until within it, or its time was up). */
        void waited(long nanos);

        /** A thread found the window over its limit but no waiter permit free, so it did not wait. */
        void unpaced();
    }

    /**
     * A window whose waits are limited only by the lag bound.
     *
     * @param limitBytes   the bytes that may be outstanding before the connection's thread waits
     * @param maxHoldNanos how long one message may hold its sender: after that it no longer counts
     * @param clock        {@link System#nanoTime} or a test's clock
     */
    public IntakeWindow(long limitBytes, long maxHoldNanos, LongSupplier clock) {
        this(limitBytes, maxHoldNanos, clock, null);
    }

    /**
     * As above, and waiting only with a permit of {@code waiters} (shared by every connection; null: no limit). The
     * container's threads that wait here are threads its own reads and writes may need: the permits bound how many
     * of them wait at once, well below the container's pool, so the writes a wait is for always find a thread.
     * A connection that finds no permit free goes on reading unpaced; its readers stay protected by their outboxes.
     */
    public IntakeWindow(long limitBytes, long maxHoldNanos, LongSupplier clock, Semaphore waiters) {
        this(limitBytes, maxHoldNanos, clock, waiters, Waits.NONE);
    }

    /** As above, telling {@code waits} (not null) of each wait and of each wait given up for want of a permit. */
    public IntakeWindow(long limitBytes, long maxHoldNanos, LongSupplier clock, Semaphore waiters, Waits waits) {
        this.limitBytes = limitBytes;
        this.maxHoldNanos = maxHoldNanos;
        this.clock = clock;
        this.waiters = waiters;
        this.waits = waits;
    }

    /** A window that never waits (for connections of tests and tools). */
    public static IntakeWindow unlimited() {
        return new IntakeWindow(Long.MAX_VALUE, 0, System::nanoTime);
    }

    /**
     * Opens a receipt for one accepted message of {@code bytes}: it counts until it is {@link Receipt#done done} as
     * many times as it was held, plus once for the caller that opened it. Any thread.
     */
    public Receipt open(int bytes) {
        long now = clock.getAsLong();
        Receipt r = new Receipt(bytes, now);
        if (limitBytes != Long.MAX_VALUE) {
            // Let go of the receipts already settled or held too long, so the list holds at most a lag bound's worth.
            Receipt oldest;
            while ((oldest = open.peek()) != null && (oldest.isSettled() || now - oldest.openedAt >= maxHoldNanos)) {
                oldest.settle();
                open.remove(oldest);
            }
            // Listed before it counts: a waiter that sees it counted finds it listed, so never waits on an empty list.
            open.add(r);
        }
        outstanding.addAndGet(bytes);
        return r;
    }

    /**
     * Waits, holding no lock, until at most the window's bytes are outstanding: messages written out, forgiven after
     * the lag bound, or the window closed. Returns at once when within the window, or when every waiter permit is
     * taken (the caller goes on unpaced). For a connection's thread, whose own messages are the only ones opened
     * meanwhile, so each holds it for at most the lag bound. An interrupt ends the wait (the interrupt stays set).
     */
    public void await() {
        await(Long.MAX_VALUE);
    }

    /**
     * As {@link #await()}, for at most {@code maxNanos} (for callers whose window others keep opening receipts in).
     * Returns true when the window is within its limit (or closed); false when it is still over it after
     * {@code maxNanos}, when no waiter permit was free, or when interrupted (the interrupt stays set).
     */
    public boolean await(long maxNanos) {
        if (within()) {
            return true;
        }
        if (waiters != null && !waiters.tryAcquire()) {
            waits.unpaced();
            return false; // as many threads wait as may: this one does not
        }
        long start = clock.getAsLong();
        try {
            return waitBelowLimit(start, maxNanos);
        } finally {
            if (waiters != null) {
                waiters.release();
            }
            waits.waited(Math.max(0, clock.getAsLong() - start));
        }
    }

    private boolean within() {
        return outstanding.get() <= limitBytes || closed.get();
    }

    private boolean waitBelowLimit(long start, long maxNanos) {
        Thread me = Thread.currentThread();
        while (!within()) {
            long now = clock.getAsLong();
            Receipt oldest = open.peek();
            while (oldest != null && oldest.isSettled()) {
                open.remove(oldest);
                oldest = open.peek();
            }
            long left = oldest == null ? 0 : oldest.openedAt + maxHoldNanos - now;
            if (oldest != null && left <= 0) {
                oldest.settle(); // held too long by members that do not read: it no longer holds the sender
                continue;
            }
            // Forgiven first, then the deadline: a wait as long as the lag bound always sees what it forgives.
            long remaining = maxNanos - (now - start);
            if (remaining <= 0 || me.isInterrupted()) {
                return within();
            }
            if (oldest == null) {
                // Nothing listed yet counted: a receipt settled this very moment and its bytes are being taken off.
                Thread.yield();
                continue;
            }
            parked.add(me);
            try {
                if (!within() && !oldest.isSettled()) {
                    LockSupport.parkNanos(this, Math.min(left, remaining));
                }
            } finally {
                parked.remove(me);
            }
        }
        return true;
    }

    /** Ends every wait, now and later: the connection is closing. Any thread. */
    public void close() {
        closed.set(true);
        wake();
    }

    /** The bytes of accepted messages not yet written out (nor forgiven). */
    public long outstandingBytes() {
        return outstanding.get();
    }

    /** The bytes that may be outstanding before the connection waits. */
    public long limitBytes() {
        return limitBytes;
    }

    private void wake() {
        for (Thread t : parked) {
            LockSupport.unpark(t);
        }
    }

    /**
     * One accepted message on its way out: each outbox that queues it {@link #hold holds} it and calls {@link #done}
     * once it wrote or dropped it; the one who opened it calls {@link #done} once it was handed to every outbox (or
     * refused). When the count reaches zero the message stops counting against its sender's window. Any thread,
     * under any lock: no I/O, no lock.
     */
    public final class Receipt {
        private final int bytes;
        private final long openedAt;
        private final AtomicInteger holders = new AtomicInteger(1);
        private final AtomicBoolean settled = new AtomicBoolean();

        private Receipt(int bytes, long openedAt) {
            this.bytes = bytes;
            this.openedAt = openedAt;
        }

        /** An outbox took the message; it must call {@link #done} once. */
        public void hold() {
            holders.incrementAndGet();
        }

        /** One holder is finished with the message. */
        public void done() {
            if (holders.decrementAndGet() == 0) {
                settle();
            }
        }

        boolean isSettled() {
            return settled.get();
        }

        private void settle() {
            if (settled.compareAndSet(false, true) && outstanding.addAndGet(-bytes) <= limitBytes) {
                wake();
            }
        }
    }
}
