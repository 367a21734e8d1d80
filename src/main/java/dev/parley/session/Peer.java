package dev.parley.session;

import dev.parley.protocol.CloseCodes;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.ServerFrame;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One open connection, and the one owner of its state: who it is ({@link Identity}, replaced on a token
 * refresh), where it came from, its inbound {@link ConnectionGuard}, the rooms it has joined (an immutable
 * snapshot that only the room registry changes) and its {@link Outbox}. Everything that reaches the client
 * goes through {@link #send}, so frames leave in the order they were queued. It is registered once and
 * {@link #release released} once, however it closes. Thread-safe: services on any thread may send to a peer
 * or close it.
 */
public final class Peer {

    private static final Logger LOG = Logger.getLogger(Peer.class.getName());

    private final String id;
    private final String user;
    private final String address;
    private final ConnectionGuard guard;
    private final Consumer<Peer> onRelease;
    private final AtomicBoolean released = new AtomicBoolean();
    private final AtomicReference<Set<String>> rooms = new AtomicReference<>(Set.of());
    private volatile Identity identity;
    private final Transport transport;
    private final Outbox outbox;
    private final Executor closer;
    private final Duration closeGrace;
    private final AtomicBoolean closing = new AtomicBoolean();

    /**
     * @param closeGrace how long a close waits for the frame being written to leave, so that a client that is
     *                   slow (not dead) still receives the close frame with its code; after that it closes anyway
     * @param closer     runs closes off the caller's thread: closing may block (Tomcat sends the close frame
     *                   synchronously) and must never hold up a broadcast
     */
    public Peer(String id, String user, String address, Transport transport, long maxQueuedBytes, Duration closeGrace,
                Executor closer) {
        this(id, Identity.unverified(user), address, new ConnectionGuard(Rates.UNLIMITED, System::nanoTime), transport,
                maxQueuedBytes, closeGrace, closer, p -> p.closed());
    }

    /**
     * A connection with its identity (whose user must not be null) and guard.
     *
     * @param onRelease runs once, on the first {@link #release}: drops everything the server holds for the connection
     */
    public Peer(String id, Identity identity, String address, ConnectionGuard guard, Transport transport,
                long maxQueuedBytes, Duration closeGrace, Executor closer, Consumer<Peer> onRelease) {
        this.id = id;
        this.identity = identity;
        this.guard = guard;
        this.onRelease = onRelease;
        String user = identity.user();
        if (user == null) {
            throw new IllegalArgumentException("a connection needs a user name");
        }
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

    /** Who the connection is now; never null. */
    public Identity identity() {
        return identity;
    }

    /** Replaces the identity after a token refresh; refuses one for another user. */
    public void identity(Identity fresh) {
        if (!user.equals(fresh.user())) {
            throw new IllegalArgumentException("a connection keeps its user");
        }
        this.identity = fresh;
    }

    /** The connection's inbound rate buckets and heartbeat. */
    public ConnectionGuard guard() {
        return guard;
    }

    /** Sends a WebSocket ping on the closer executor (the client's pong proves it is alive). */
    public void ping() {
        closer.execute(transport::ping);
    }

    /**
     * Drops everything the server holds for this connection, once: marks it closed and runs the release given
     * at construction. Returns true for the call that did it; later calls (the container's close, the watchdog,
     * a failed admission) do nothing and return false. Safe from any thread.
     */
    public boolean release() {
        if (!released.compareAndSet(false, true)) {
            return false;
        }
        closed();
        onRelease.accept(this);
        return true;
    }

    /** True once {@link #release} ran. */
    public boolean isReleased() {
        return released.get();
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

    /** The rooms this connection has joined: an immutable snapshot, never null. */
    public Set<String> rooms() {
        return rooms.get();
    }

    /** {@link #rooms()} sorted. */
    public List<String> roomList() {
        return List.copyOf(new TreeSet<>(rooms.get()));
    }

    /** Records that the connection joined a room. Only the room registry calls this (ArchitectureTest checks). */
    public void entered(String room) {
        rooms.updateAndGet(set -> {
            if (set.contains(room)) {
                return set;
            }
            Set<String> next = new HashSet<>(set);
            next.add(room);
            return Set.copyOf(next);
        });
    }

    /** Records that the connection left a room. Only the room registry calls this (ArchitectureTest checks). */
    public void exited(String room) {
        rooms.updateAndGet(set -> {
            if (!set.contains(room)) {
                return set;
            }
            Set<String> next = new HashSet<>(set);
            next.remove(room);
            return Set.copyOf(next);
        });
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
