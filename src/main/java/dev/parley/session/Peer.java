package dev.parley.session;

import dev.parley.protocol.CloseCodes;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.ServerFrame;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
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
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean transportClosed = new AtomicBoolean();
    private volatile int closeCode;
    private volatile String closeReason;

    /**
     * @param closer runs closes off the caller's thread: closing may block (Tomcat sends the close frame
     *               synchronously) and must never hold up a broadcast
     */
    public Peer(String id, String user, String address, Transport transport, long maxQueuedBytes, Executor closer) {
        this.id = id;
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
     * Closes the connection with a code and reason, once (later calls do nothing). Frames still queued are
     * dropped; the close itself runs on the closer executor, as soon as the frame in flight (if any) is
     * written, so the close frame is the next thing the client reads (Tyrus cancels writes still pending
     * when it drops the connection, and a client that resumes reading would see 1006 instead of the code).
     * A client that never reads again is dealt with by {@link #forceClose}. Safe from any thread.
     */
    public void close(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            closeCode = code;
            closeReason = reason;
            outbox.close();
            outbox.whenIdle(this::closeTransport);
        }
    }

    /**
     * Closes the transport now with the code given to {@link #close} (or 1001), even while a frame is still in
     * flight: for a connection whose close did not complete in time. Safe from any thread; at most once.
     */
    public void forceClose() {
        closing.set(true);
        outbox.close();
        closeTransport();
    }

    private void closeTransport() {
        if (transportClosed.compareAndSet(false, true)) {
            int code = closeCode == 0 ? CloseCodes.GOING_AWAY : closeCode;
            String reason = closeReason == null ? "closing" : closeReason;
            closer.execute(() -> transport.close(code, reason));
        }
    }

    /** Like {@link #close}, but on the calling thread: for shutdown, when executors may be stopping. */
    public void closeNow(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            outbox.close();
            if (transportClosed.compareAndSet(false, true)) {
                transport.close(code, reason);
            }
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
