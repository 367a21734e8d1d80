package dev.parley.session;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection's outbound queue: bounded in bytes, drained by at most one asynchronous send at a time
 * (Tomcat throws on overlapping async sends, and one writer keeps frames in order).
 * {@link #offer} never blocks: a connection that cannot keep up overflows its bound and is reported
 * through the overflow callback, so a slow reader never delays a sender or a broadcast.
 * Safe to call from any thread.
 */
public final class Outbox {

    private static final Logger LOG = Logger.getLogger(Outbox.class.getName());

    /** Why an outbox stopped accepting frames. */
    public interface Listener {
        /** The queued bytes would have exceeded the bound; the outbox is closed and its frames dropped. */
        void overflowed(long queuedBytes);

        /** A send failed (the socket is gone); the outbox is closed and its frames dropped. */
        void failed(Throwable cause);
    }

    private final Transport transport;
    private final long maxBytes;
    private final Listener listener;
    private final Queue<EncodedFrame> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<Runnable> onIdle = new AtomicReference<>();

    /**
     * @param maxBytes the most UTF-8 bytes that may wait (the frame being written included); a single frame
     *                 larger than this is still accepted when nothing else waits
     */
    public Outbox(Transport transport, long maxBytes, Listener listener) {
        this.transport = transport;
        this.maxBytes = maxBytes;
        this.listener = listener;
    }

    /**
     * Queues a frame for sending. Returns false, dropping the frame, when the outbox is closed or when
     * accepting it would overflow the bound (which closes the outbox and notifies the listener once).
     */
    public boolean offer(EncodedFrame frame) {
        if (closed.get()) {
            return false;
        }
        long after = queuedBytes.addAndGet(frame.bytes());
        if (after > maxBytes && after != frame.bytes()) {
            queuedBytes.addAndGet(-frame.bytes());
            if (shutDown()) {
                listener.overflowed(after - frame.bytes());
            }
            return false;
        }
        queue.add(frame);
        if (closed.get()) {
            // Closed between the check and the add: make sure nothing stays referenced.
            discard();
            return false;
        }
        pump();
        return true;
    }

    /** The bytes waiting, the frame in flight included. */
    public long queuedBytes() {
        return queuedBytes.get();
    }

    /** True once the outbox stopped accepting frames. */
    public boolean isClosed() {
        return closed.get();
    }

    /** Stops accepting frames and drops those waiting; called when the connection closed. */
    public void close() {
        shutDown();
    }

    /**
     * Runs {@code action} once no send is in flight: at once when none is, else when the one in flight
     * completes (written or failed). For a closed outbox only: a close frame sent after it then follows the
     * last data frame instead of being queued behind it in the container (where Tyrus cancels it when it
     * drops the connection). Runs the action at most once; a later call replaces an action not yet run.
     */
    public void whenIdle(Runnable action) {
        onIdle.set(action);
        if (!writing.get()) {
            runIdle();
        }
    }

    private void runIdle() {
        if (closed.get()) {
            Runnable action = onIdle.getAndSet(null);
            if (action != null) {
                action.run();
            }
        }
    }

    private boolean shutDown() {
        if (closed.compareAndSet(false, true)) {
            discard();
            return true;
        }
        return false;
    }

    private void discard() {
        EncodedFrame f;
        while ((f = queue.poll()) != null) {
            queuedBytes.addAndGet(-f.bytes());
        }
    }

    /**
     * Starts the next send unless one is in flight. A send that completes on the calling thread does not
     * recurse into pump (a deep queue would overflow the stack); the loop picks up the next frame instead.
     */
    private void pump() {
        while (true) {
            if (!writing.compareAndSet(false, true)) {
                return;
            }
            EncodedFrame next = closed.get() ? null : queue.poll();
            if (next == null) {
                writing.set(false);
                if (closed.get()) {
                    runIdle();
                    return;
                }
                // A frame added after poll() saw the queue empty, and before writing was released, is ours to send.
                if (closed.get() || queue.isEmpty()) {
                    return;
                }
                continue;
            }
            Send send = new Send(next.bytes());
            transport.sendText(next.text(), send);
            if (!send.returned()) {
                return; // completes later, on another thread, and pumps then
            }
        }
    }

    /** Completion of one send; knows whether it ran before or after sendText returned. */
    private final class Send implements java.util.function.Consumer<Throwable> {
        private static final int PENDING = 0;
        private static final int RETURNED = 1;
        private static final int DONE = 2;
        private final int bytes;
        private final AtomicInteger state = new AtomicInteger(PENDING);

        Send(int bytes) {
            this.bytes = bytes;
        }

        @Override
        public void accept(Throwable failure) {
            queuedBytes.addAndGet(-bytes);
            writing.set(false);
            runIdle();
            if (failure != null) {
                LOG.log(Level.FINE, "send failed, dropping the connection's queue", failure);
                if (shutDown()) {
                    listener.failed(failure);
                }
            }
            if (state.getAndSet(DONE) == RETURNED) {
                pump();
            }
        }

        /** Called by the sender after sendText returned; true when the send already completed. */
        boolean returned() {
            return state.getAndSet(RETURNED) == DONE;
        }
    }
}
