package dev.parley.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection's outbound queue: bounded in bytes, drained by at most one asynchronous send at a time
 * (Tomcat throws on overlapping async sends, and one writer keeps frames in order).
 * Two ways in: {@link #offer} only enqueues, never writes to the socket and never calls the listener on the
 * caller's thread (writing starts on the writer executor, the listener is called there too), so a caller may
 * offer while holding a lock (a room's monitor) without ever running socket I/O or a close under it. A thread
 * that holds no lock instead {@link #enqueue}s and {@link #flush}es, writing itself, so that a broadcast or a
 * reply is paced by the sockets it writes to rather than piling up in the queues. A connection
 * that cannot keep up overflows its bound and is reported through the listener, so a slow reader never
 * delays a sender or a broadcast.
 * <p>
 * Signals ({@link #enqueueSignal}) are volatile frames that matter only until a newer one of the same key (a
 * sender's connection and a room) exists. They take their place in the one queue like any frame, so while the
 * connection keeps up every signal is sent, in order with everything else. Once more than
 * {@link #coalesceAbove} bytes wait, a signal replaces the one of its key still waiting, in that one's place,
 * instead of queueing behind it (newest wins); and a signal that would push the queue over its bound is dropped,
 * never overflowing it: only stored frames close a slow connection. Safe to call from any thread.
 * <p>
 * Slow consumers. The connection <em>lags</em> while the oldest frame not yet handed to its socket has waited longer
 * than the lag bound. A stored frame that would leave more than the bound in bytes waiting closes the outbox
 * (the listener's {@link Listener#overflowed}) only while the connection lags, or when the hard bound would be
 * passed: a client that reads at network speed but got a burst from several senders at once is given time, one that
 * does not read is closed. Frames queued with an {@link IntakeWindow.Receipt} hold it until they are written (or
 * dropped), so the sender's intake waits for this connection, unless it lags: then it holds no receipt.
 */
public final class Outbox {

    private static final Logger LOG = Logger.getLogger(Outbox.class.getName());

    /** Why an outbox stopped accepting frames. Called on a thread that holds no lock of Parley's. */
    public interface Listener {
        /** The queued bytes would have exceeded the bound; the outbox is closed and its frames dropped. */
        void overflowed(long queuedBytes);

        /** A send failed (the socket is gone); the outbox is closed and its frames dropped. */
        void failed(Throwable cause);
    }

    private final Transport transport;
    private final long maxBytes;
    private final long hardMaxBytes;
    private final long maxLagNanos;
    private final LongSupplier clock;
    private final Executor writer;
    private final Listener listener;
    /** Waiting frames: {@link Waiting} entries of {@link EncodedFrame}s and signal {@link Slot}s. */
    private final Queue<Waiting> queue = new ConcurrentLinkedQueue<>();
    /** The entry being written, null when none. */
    private volatile Waiting inFlight;
    /** The waiting signal slot of each key, while it waits. */
    private final Map<String, Slot> waitingSignals = new ConcurrentHashMap<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    /** Bytes of the frame being written (0 when none): the bound counts what waits behind it. */
    private final AtomicLong inFlightBytes = new AtomicLong();
    /** Held by whoever drains: set by the offer that schedules a drain, released by the drain that finds nothing. */
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> settled = new CompletableFuture<>();

    /**
     * @param maxBytes the most UTF-8 bytes that may wait behind the frame being written; a single frame larger
     *                 than this is still accepted when nothing else waits
     * @param writer   runs the sends and the listener, never on the thread that offers
     */
    public Outbox(Transport transport, long maxBytes, Executor writer, Listener listener) {
        this(transport, new Bounds(maxBytes, maxBytes, 0), System::nanoTime, writer, listener);
    }

    /**
     * The bounds of one outbox, in UTF-8 bytes waiting behind the frame being written.
     *
     * @param maxBytes     more than this closes a lagging connection
     * @param hardMaxBytes more than this closes any connection (at least {@code maxBytes})
     * @param maxLagNanos  how long the oldest waiting frame may wait before the connection lags
     */
    public record Bounds(long maxBytes, long hardMaxBytes, long maxLagNanos) {
        public Bounds {
            hardMaxBytes = Math.max(maxBytes, hardMaxBytes);
        }
    }

    /**
     * @param clock  {@link System#nanoTime}, or a test's clock, for the lag
     * @param writer runs the sends and the listener, never on the thread that offers
     */
    public Outbox(Transport transport, Bounds bounds, LongSupplier clock, Executor writer, Listener listener) {
        this.transport = transport;
        this.maxBytes = bounds.maxBytes();
        this.hardMaxBytes = bounds.hardMaxBytes();
        this.maxLagNanos = bounds.maxLagNanos();
        this.clock = clock;
        this.writer = writer;
        this.listener = listener;
    }

    /** Bytes waiting above which signals replace waiting ones of their key: a sixteenth of the bound. */
    public long coalesceAbove() {
        return maxBytes / 16;
    }

    /**
     * Queues a signal without sending it (the caller must {@link #flush} once it holds no lock), or, while more
     * than {@link #coalesceAbove} bytes wait, puts it in the place of the waiting signal of the same {@code key}.
     * A signal that would overflow the bound is dropped and the outbox stays open. Returns false when the signal
     * was dropped; true when it was queued or replaced an older one. Does no I/O. Calls for one key must not
     * run concurrently (a connection's signals come from that connection's thread).
     */
    public boolean enqueueSignal(String key, EncodedFrame frame) {
        if (closed.get()) {
            return false;
        }
        if (queuedBytes.get() > coalesceAbove()) {
            Slot waiting = waitingSignals.get(key);
            if (waiting != null && waiting.replace(frame)) {
                return true;
            }
        }
        long after = queuedBytes.addAndGet(frame.bytes());
        if (exceeds(after, frame, maxBytes)) {
            queuedBytes.addAndGet(-frame.bytes());
            return false; // volatile: dropped, never a reason to close
        }
        Slot slot = new Slot(key, frame);
        waitingSignals.put(key, slot);
        queue.add(new Waiting(slot, clock.getAsLong(), null));
        if (closed.get()) {
            discard();
            return false;
        }
        return true;
    }

    /**
     * Queues a frame for sending and returns at once; a writer thread sends it. Returns false, dropping the
     * frame, when the outbox is closed or when accepting it would overflow the bound (which closes the outbox
     * and notifies the listener once, on the writer executor). Does no I/O on the calling thread: safe under
     * any lock.
     */
    public boolean offer(EncodedFrame frame) {
        if (!enqueue(frame, null)) {
            return false;
        }
        if (writing.compareAndSet(false, true)) {
            return scheduleDrain();
        }
        return true;
    }

    /**
     * Queues a frame without starting to send it: the caller must call {@link #flush} once it holds no lock.
     * For a thread that queues under a lock (to keep an order) and then writes itself. Returns false, dropping
     * the frame, like {@link #offer}. Does no I/O.
     */
    public boolean enqueue(EncodedFrame frame) {
        return enqueue(frame, null);
    }

    /**
     * As {@link #enqueue(EncodedFrame)}, for a sender's message: unless the connection lags, the frame
     * {@link IntakeWindow.Receipt#hold holds} the receipt until it is written or dropped. Null: no receipt.
     */
    public boolean enqueue(EncodedFrame frame, IntakeWindow.Receipt receipt) {
        if (closed.get()) {
            return false;
        }
        long now = clock.getAsLong();
        long after = queuedBytes.addAndGet(frame.bytes());
        if (overflows(after, frame, now)) {
            queuedBytes.addAndGet(-frame.bytes());
            if (shutDown()) {
                long queued = after - frame.bytes();
                later(() -> listener.overflowed(queued));
            }
            return false;
        }
        IntakeWindow.Receipt held = receipt != null && !lags(now) ? receipt : null;
        if (held != null) {
            held.hold();
        }
        queue.add(new Waiting(frame, now, held));
        if (closed.get()) {
            // Closed between the check and the add: make sure nothing stays referenced.
            discard();
            return false;
        }
        return true;
    }

    /**
     * Whether the oldest frame not yet handed to the socket (the one being written, or else the first waiting) was
     * queued more than the lag bound before {@code now}.
     */
    public boolean lags(long now) {
        Waiting oldest = inFlight;
        if (oldest == null) {
            oldest = queue.peek();
        }
        return oldest != null && now - oldest.at() > maxLagNanos;
    }

    /**
     * Sends what is queued on the calling thread, unless a send is already under way (whoever is sending
     * then sends these frames too). Socket I/O, and on a failed write the container's close callbacks, run on
     * this thread: call it holding no lock. A writer that keeps up this way also paces its caller, as a
     * blocking write would, without ever blocking on a slow client (its sends complete later).
     */
    public void flush() {
        if (writing.compareAndSet(false, true)) {
            drain();
        }
    }

    /** Hands the drain to the writer; the caller holds the writing token. False when the writer is stopping. */
    private boolean scheduleDrain() {
        try {
            writer.execute(this::drain);
            return true;
        } catch (RejectedExecutionException e) {
            // The server is stopping (the registry closes its connections): nothing more is written.
            LOG.log(Level.FINE, "writer stopped; dropping the connection's queue", e);
            shutDown();
            writing.set(false);
            settleIfIdle();
            return false;
        }
    }

    /**
     * Whether {@code frame}, making {@code after} bytes queued, overflows the bound: more than {@code maxBytes}
     * waiting behind the frame being written. A frame with nothing waiting before it is always accepted, so one
     * large frame (a join's history) followed by a small one does not close a reader that reads.
     */
    private boolean overflows(long after, EncodedFrame frame, long now) {
        return exceeds(after, frame, hardMaxBytes) || (exceeds(after, frame, maxBytes) && lags(now));
    }

    /** Whether more than {@code bound} bytes would wait behind the frame being written, {@code frame} not alone. */
    private boolean exceeds(long after, EncodedFrame frame, long bound) {
        long waiting = after - inFlightBytes.get();
        return waiting > bound && waiting != frame.bytes();
    }

    /** The bytes waiting, the frame in flight included. */
    public long queuedBytes() {
        return queuedBytes.get();
    }

    /** True once the outbox stopped accepting frames. */
    public boolean isClosed() {
        return closed.get();
    }

    /** Stops accepting frames and drops those waiting (the frame in flight, if any, still completes). */
    public void close() {
        shutDown();
    }

    /**
     * Completes once the outbox is closed and no send is in flight any more: the moment a close frame can
     * follow the last frame handed to the socket without overtaking it.
     */
    public CompletionStage<Void> settled() {
        return settled;
    }

    private boolean shutDown() {
        if (closed.compareAndSet(false, true)) {
            discard();
            settleIfIdle();
            return true;
        }
        return false;
    }

    private void settleIfIdle() {
        if (closed.get() && !writing.get()) {
            settled.complete(null);
        }
    }

    private void discard() {
        Waiting entry;
        while ((entry = queue.poll()) != null) {
            EncodedFrame f = entry.frame();
            if (f != null) {
                queuedBytes.addAndGet(-f.bytes());
            }
            entry.release();
        }
    }

    /**
     * A queue entry: a frame or a signal's slot, when it was queued, and the receipt it holds (null: none).
     */
    private record Waiting(Object item, long at, IntakeWindow.Receipt receipt) {

        /** The frame it stands for: the frame, or a slot's current signal (null if none: taken already). */
        EncodedFrame frame() {
            return item instanceof Outbox.Slot slot ? slot.take() : (EncodedFrame) item;
        }

        /** Lets go of the receipt, once the frame was written or dropped. */
        void release() {
            if (receipt != null) {
                receipt.done();
            }
        }
    }

    /**
     * A signal's place in the queue. Until the drain takes it, a newer signal of the same key may replace the
     * frame inside; once taken it is empty, and a newer signal queues a slot of its own.
     */
    private final class Slot {
        private final String key;
        private final AtomicReference<EncodedFrame> frame;

        Slot(String key, EncodedFrame frame) {
            this.key = key;
            this.frame = new AtomicReference<>(frame);
        }

        /** Puts {@code newer} in the place of the waiting frame; false when the slot was already taken. */
        boolean replace(EncodedFrame newer) {
            EncodedFrame older = frame.get();
            while (older != null) {
                if (frame.compareAndSet(older, newer)) {
                    queuedBytes.addAndGet(newer.bytes() - older.bytes());
                    return true;
                }
                older = frame.get();
            }
            return false;
        }

        /** The frame waiting in the slot, without taking it (null if it was taken). */
        EncodedFrame peek() {
            return frame.get();
        }

        /** Empties the slot, returning its frame (null if it was empty). */
        EncodedFrame take() {
            waitingSignals.remove(key, this);
            return frame.getAndSet(null);
        }
    }

    /** Runs a listener call on the writer executor; if that is stopping, the server is too and nobody listens. */
    private void later(Runnable call) {
        try {
            writer.execute(call);
        } catch (RejectedExecutionException e) {
            LOG.log(Level.FINE, "writer stopped; not reporting the overflow", e);
        }
    }

    /**
     * Sends the queued frames one at a time, holding the {@code writing} token. A send that completes on this
     * thread does not recurse (a deep queue would overflow the stack): the loop picks up the next frame. A
     * send that completes later goes on draining from its completion, on the container's thread.
     */
    private void drain() {
        while (true) {
            Waiting entry = closed.get() ? null : queue.poll();
            EncodedFrame next = entry == null ? null : entry.frame();
            if (entry != null && next == null) {
                continue; // a signal slot emptied by discard: nothing to send for it
            }
            if (next == null) {
                writing.set(false);
                settleIfIdle();
                // A frame added after poll() saw the queue empty, and before writing was released, is ours to send.
                if (closed.get() || queue.isEmpty() || !writing.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            Send send = batch(entry, next);
            inFlightBytes.set(send.bytes);
            inFlight = entry;
            if (send.frames == null) {
                transport.send(next, send);
            } else {
                transport.send(send.frames, send);
            }
            if (!send.returned()) {
                return; // completes later, on another thread, which drains on
            }
        }
    }

    /**
     * The send for {@code first} and, where the transport writes several frames at once ({@link
     * Transport#batchBytes}), for the frames waiting behind it up to that many bytes: one socket write instead of
     * one per frame for a connection that has fallen behind a burst (as a client library corks its writes).
     */
    private Send batch(Waiting first, EncodedFrame frame) {
        int limit = transport.batchBytes();
        if (limit <= 0 || frame.bytes() >= limit || queue.isEmpty()) {
            return new Send(frame.bytes(), first, null, null);
        }
        List<EncodedFrame> frames = new ArrayList<>();
        List<Waiting> entries = new ArrayList<>();
        frames.add(frame);
        entries.add(first);
        long bytes = frame.bytes();
        while (true) {
            Waiting head = queue.peek();
            if (head == null) {
                break;
            }
            EncodedFrame f = head.item() instanceof Slot slot ? slot.peek() : (EncodedFrame) head.item();
            if (f != null && bytes + f.bytes() > limit) {
                break;
            }
            // Only the drain (this thread, holding the writing token) and a close's discard take from the queue:
            // what is taken is normally the head just peeked; after a close, whatever it is, it is this send's.
            Waiting taken = queue.poll();
            if (taken == null) {
                break;
            }
            f = taken.frame();
            if (f == null) {
                continue; // a signal slot emptied by discard
            }
            frames.add(f);
            entries.add(taken);
            bytes += f.bytes();
        }
        return frames.size() == 1 ? new Send(frame.bytes(), first, null, null) : new Send(bytes, first, frames, entries);
    }

    /** Completion of one send (one frame, or a batch); knows whether it ran before or after the send returned. */
    private final class Send implements java.util.function.Consumer<Throwable> {
        private static final int PENDING = 0;
        private static final int RETURNED = 1;
        private static final int DONE = 2;
        private final long bytes;
        private final Waiting entry;
        /** The batch's frames and entries (the first is {@code entry}); null for a single frame. */
        private final List<EncodedFrame> frames;
        private final List<Waiting> entries;
        private final AtomicInteger state = new AtomicInteger(PENDING);

        Send(long bytes, Waiting entry, List<EncodedFrame> frames, List<Waiting> entries) {
            this.bytes = bytes;
            this.entry = entry;
            this.frames = frames;
            this.entries = entries;
        }

        @Override
        public void accept(Throwable failure) {
            queuedBytes.addAndGet(-bytes);
            inFlightBytes.set(0);
            inFlight = null;
            if (entries == null) {
                entry.release();
            } else {
                entries.forEach(Waiting::release);
            }
            if (failure != null) {
                LOG.log(Level.FINE, "send failed, dropping the connection's queue", failure);
                boolean first = shutDown();
                writing.set(false);
                settleIfIdle();
                if (first) {
                    listener.failed(failure);
                }
                state.set(DONE);
                return;
            }
            if (state.getAndSet(DONE) == RETURNED) {
                drain(); // completed on the container's thread, which holds no lock of ours: go on here
            }
        }

        /** Called by the sender after sendText returned; true when the send already completed. */
        boolean returned() {
            return state.getAndSet(RETURNED) == DONE;
        }
    }
}
