package dev.parley.session;

import dev.parley.protocol.CloseCodes;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.ServerFrame;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One open connection: who it is, the rooms it has joined, and its {@link Outbox}. Everything that reaches
 * the client goes through {@link #send}, so frames leave in the order they were queued.
 * Thread-safe: services on any thread may send to a peer or close it.
 */
public final class Peer {

    private static final Logger LOG = Logger.getLogger(Peer.class.getName());

    /** The payload of the ping that follows the last data before a slow consumer's close. */
    private static final byte[] DRAIN_PING = "parley-drain".getBytes(StandardCharsets.US_ASCII);

    private final String id;
    private final String user;
    private final String address;
    private final Transport transport;
    private final Outbox outbox;
    private final Executor closer;
    private final Consumer<Peer> released;
    private final Duration closeGrace;
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean releasing = new AtomicBoolean();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();

    /**
     * @param writer     runs the outbox's sends: frames are only queued on the thread that sends them
     * @param closeGrace how long a close waits for the data already handed to the socket to be read, so that a
     *                   client that is slow (not dead) still receives the close frame with its code; after that it
     *                   closes anyway
     * @param closer     runs closes and {@code released} off the caller's thread: closing may block (Tomcat sends
     *                   the close frame synchronously) and must never hold up a broadcast or run under a caller's lock
     * @param released   forgets the connection (rooms, presence, registries); run once on the closer when the
     *                   server closes the connection or a send fails, whichever comes first; must be idempotent with
     *                   the container's own close callback
     */
    public Peer(String id, String user, String address, Transport transport, long maxQueuedBytes, Duration closeGrace,
                Executor writer, Executor closer, Consumer<Peer> released) {
        this.id = id;
        this.closeGrace = closeGrace;
        this.user = user;
        this.address = address;
        this.transport = transport;
        this.closer = closer;
        this.released = released;
        this.outbox = new Outbox(transport, maxQueuedBytes, writer, new Outbox.Listener() {
            @Override
            public void overflowed(long queuedBytes) {
                LOG.log(Level.INFO, "closing slow consumer {0}: {1} bytes waiting", new Object[]{Peer.this, queuedBytes});
                close(CloseCodes.SLOW_CONSUMER, "slow consumer");
            }

            @Override
            public void failed(Throwable cause) {
                // The socket is gone: nothing can be read any more, so release at once and close without waiting.
                if (closing.compareAndSet(false, true)) {
                    release();
                    closer.execute(() -> transport.close(CloseCodes.GOING_AWAY, "send failed"));
                }
            }
        });
    }

    /** The connection's id, sent to the client as {@code session}. */
    public String id() {
        return id;
    }

    /** The user name; several peers may share one (tabs). */
    public String user() {
        return user;
    }

    /** The remote address the connection came from, or "unknown". */
    public String address() {
        return address;
    }

    /**
     * Encodes one frame for this connection only, queues it, and writes it on the calling thread unless a send
     * is under way (see {@link #send(EncodedFrame)}). The caller must hold no lock.
     */
    public void send(ServerFrame frame) {
        send(EncodedFrame.of(FrameCodec.shared().encode(frame)));
    }

    /**
     * Queues a frame (encoded once for many peers) and writes it on the calling thread unless a send is under
     * way. Socket I/O, and on a failed write the container's close callbacks, may run on this thread: the caller
     * must hold no lock (use {@link #post} under one). Returns false when it was dropped (closed or overflowing).
     */
    public boolean send(EncodedFrame frame) {
        if (!outbox.enqueue(frame)) {
            return false;
        }
        outbox.flush();
        return true;
    }

    /**
     * Queues a frame for a writer thread to send. No I/O on the calling thread: safe under any lock, for frames
     * whose order is decided under one (presence, the answer to a join). Returns false when it was dropped.
     */
    public boolean post(EncodedFrame frame) {
        return outbox.offer(frame);
    }

    /**
     * Queues a frame without sending it: the caller must {@link #flush} once it holds no lock. Returns false when
     * it was dropped (closed or overflowing).
     */
    public boolean enqueue(EncodedFrame frame) {
        return outbox.enqueue(frame);
    }

    /** Sends what is queued on the calling thread unless a send is under way; call it holding no lock. */
    public void flush() {
        outbox.flush();
    }

    /**
     * Closes the connection with a code and reason, once (later calls do nothing), and releases its state at
     * once (the others see it leave now, not when the socket is finally closed). Frames not yet handed to the
     * socket are dropped; the close frame follows the frame being written. A slow consumer's close frame also
     * waits until the client has read everything handed to the socket before it (shown by its answer to a ping
     * sent after that data), so that a client that resumes reading sees 4008, not a cut connection; either wait
     * ends after the close grace. Never does I/O on the calling thread: safe from any thread, under any lock.
     */
    public void close(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            outbox.close();
            release();
            CompletableFuture<Void> ready = outbox.settled().toCompletableFuture();
            if (code == CloseCodes.SLOW_CONSUMER) {
                ready = ready.thenComposeAsync(v -> transport.ping(DRAIN_PING) ? drained : CompletableFuture.completedFuture(null), closer);
            }
            ready.completeOnTimeout(null, closeGrace.toMillis(), TimeUnit.MILLISECONDS)
                    .thenRun(() -> closer.execute(() -> transport.close(code, reason)));
        }
    }

    /** Takes a pong from the client: the answer to the drain ping means it has read everything sent before it. */
    public void ponged(ByteBuffer payload) {
        if (payload != null && payload.remaining() == DRAIN_PING.length
                && Arrays.equals(DRAIN_PING, 0, DRAIN_PING.length, bytes(payload), 0, DRAIN_PING.length)) {
            drained.complete(null);
        }
    }

    /** Like {@link #close}, but on the calling thread: for shutdown, when executors may be stopping. */
    public void closeNow(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            outbox.close();
            transport.close(code, reason);
        }
    }

    /** The rooms this connection has joined (a live, thread-safe view owned by the room service). */
    public Set<String> rooms() {
        return rooms;
    }

    /** A sorted copy of {@link #rooms()}. */
    public List<String> roomList() {
        return rooms.stream().sorted().toList();
    }

    /** The queue's current size in bytes, for metrics and tests. */
    public long queuedBytes() {
        return outbox.queuedBytes();
    }

    /** True once the connection's outbox was closed (slow consumer, failed send, closed). */
    public boolean isClosed() {
        return outbox.isClosed();
    }

    /** Marks the connection closed by the client or container: nothing more is queued. */
    public void closed() {
        closing.set(true);
        releasing.set(true); // the container's close callback releases the state itself
        outbox.close();
    }

    private void release() {
        if (releasing.compareAndSet(false, true)) {
            closer.execute(() -> released.accept(this));
        }
    }

    private static byte[] bytes(ByteBuffer payload) {
        byte[] b = new byte[payload.remaining()];
        payload.duplicate().get(b);
        return b;
    }

    @Override
    public String toString() {
        return "Peer[" + id + ", " + user + "]";
    }
}
