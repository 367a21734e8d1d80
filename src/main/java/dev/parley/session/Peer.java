package dev.parley.session;

import dev.parley.protocol.CloseCodes;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.ServerFrame;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One open connection: who it is, the rooms it has joined, and its {@link Outbox}. Everything that reaches
 * the client goes through {@link #send}, so frames leave in the order they were queued.
 * Thread-safe: services on any thread may send to a peer or close it.
 */
public final class Peer {

    private static final Logger LOG = Logger.getLogger(Peer.class.getName());

    private final String id;
    private final String user;
    private final String address;
    private final Transport transport;
    private final Outbox outbox;
    private final Executor closer;
    private final Duration closeGrace;
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closing = new AtomicBoolean();

    /**
     * @param closeGrace how long a close waits for the frame being written to leave, so that a client that is
     *                   slow (not dead) still receives the close frame with its code; after that it closes anyway
     * @param closer     runs closes off the caller's thread: closing may block (Tomcat sends the close frame
     *                   synchronously) and must never hold up a broadcast
     */
    public Peer(String id, String user, String address, Transport transport, long maxQueuedBytes, Duration closeGrace,
                Executor closer) {
        this.id = id;
        this.closeGrace = closeGrace;
        this.user = user;
        this.address = address;
        this.transport = transport;
        this.closer = closer;
        this.outbox = new Outbox(transport, maxQueuedBytes, new Outbox.Listener() {
            @Override
            public void overflowed(long queuedBytes) {
                LOG.log(Level.INFO, "closing slow consumer {0}: {1} bytes waiting", new Object[]{Peer.this, queuedBytes});
                close(CloseCodes.SLOW_CONSUMER, "slow consumer");
            }

            @Override
            public void failed(Throwable cause) {
                close(CloseCodes.GOING_AWAY, "send failed");
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

    /** Encodes and queues one frame for this connection only. */
    public void send(ServerFrame frame) {
        outbox.offer(EncodedFrame.of(FrameCodec.shared().encode(frame)));
    }

    /** Queues a frame encoded once for many peers. Returns false when it was dropped (closed or overflowing). */
    public boolean send(EncodedFrame frame) {
        return outbox.offer(frame);
    }

    /**
     * Closes the connection with a code and reason, once (later calls do nothing). Frames not yet handed to
     * the socket are dropped; the close frame follows the one being written, or goes after the close grace
     * if that one never leaves (a client that stopped reading). Runs on the closer executor; safe from any thread.
     */
    public void close(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            outbox.close();
            outbox.settled().toCompletableFuture()
                    .completeOnTimeout(null, closeGrace.toMillis(), TimeUnit.MILLISECONDS)
                    .thenRun(() -> closer.execute(() -> transport.close(code, reason)));
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
        outbox.close();
    }

    @Override
    public String toString() {
        return "Peer[" + id + ", " + user + "]";
    }
}
