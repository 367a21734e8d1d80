package dev.parley.session;

import dev.parley.protocol.CloseCodes;
import dev.parley.protocol.ServerFrame;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
    /** The payload of the ping that follows the last data before a slow consumer's close. */
    private static final byte[] DRAIN_PING = "parley-drain".getBytes(StandardCharsets.US_ASCII);

    private final String id;
    private final String user;
    private final String address;
    private final ConnectionGuard guard;
    private final Consumer<Peer> onRelease;
    private final Consumer<ServerFrame.Error> onRefusal;
    private final AtomicBoolean released = new AtomicBoolean();
    private final AtomicReference<Set<String>> rooms = new AtomicReference<>(Set.of());
    private volatile Identity identity;
    private volatile boolean presenceDiffs;
    private final Transport transport;
    private final Outbox outbox;
    private final IntakeWindow intake;
    private final Executor closer;
    private final Duration closeGrace;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final long openedAt = System.nanoTime();
    private final AtomicLong framesIn = new AtomicLong();
    private final AtomicLong framesOut = new AtomicLong();

    /** A connection with no limits and a release that only marks it closed (for tests and tools). */
    public Peer(String id, String user, String address, Transport transport, long maxQueuedBytes, Duration closeGrace,
                Executor writer, Executor closer) {
        this(id, Identity.unverified(user), address, new ConnectionGuard(Rates.UNLIMITED, System::nanoTime), transport,
                maxQueuedBytes, closeGrace, writer, closer, p -> p.closed());
    }

    /**
     * A connection with its identity (whose user must not be null) and guard.
     *
     * @param writer     runs the outbox's sends for frames {@link #post posted} under a lock
     * @param closeGrace how long a close waits for the data already handed to the socket to be read, so that a
     *                   client that is slow (not dead) still receives the close frame with its code; after that it
     *                   closes anyway
     * @param closer     runs closes and server-initiated releases off the caller's thread: closing may block (Tomcat
     *                   sends the close frame synchronously) and must never hold up a broadcast or run under a lock
     * @param onRelease  runs once, on the first {@link #release}: drops everything the server holds for the connection
     */
    public Peer(String id, Identity identity, String address, ConnectionGuard guard, Transport transport,
                long maxQueuedBytes, Duration closeGrace, Executor writer, Executor closer, Consumer<Peer> onRelease) {
        this(id, identity, address, guard, transport, maxQueuedBytes, closeGrace, writer, closer, onRelease, e -> {
        });
    }

    /**
     * As the constructor above, and told of every error frame sent to this connection through
     * {@link #send(ServerFrame)}, on the sending thread (for counting; it must not block or send).
     */
    public Peer(String id, Identity identity, String address, ConnectionGuard guard, Transport transport,
                long maxQueuedBytes, Duration closeGrace, Executor writer, Executor closer, Consumer<Peer> onRelease,
                Consumer<ServerFrame.Error> onRefusal) {
        this(id, identity, address, guard, transport, new Outbox.Bounds(maxQueuedBytes, maxQueuedBytes, 0),
                IntakeWindow.unlimited(), closeGrace, writer, closer, onRelease, onRefusal);
    }

    /**
     * As the constructor above, with the outbox's {@code bounds} (lag and hard bound, see {@link Outbox}) and the
     * connection's {@code intake} window, which {@link #awaitIntake} waits on.
     */
    public Peer(String id, Identity identity, String address, ConnectionGuard guard, Transport transport,
                Outbox.Bounds bounds, IntakeWindow intake, Duration closeGrace, Executor writer, Executor closer,
                Consumer<Peer> onRelease, Consumer<ServerFrame.Error> onRefusal) {
        this.id = id;
        this.intake = intake;
        this.onRefusal = onRefusal;
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
        this.outbox = new Outbox(transport, bounds, System::nanoTime, writer, new Outbox.Listener() {
            @Override
            public void overflowed(long queuedBytes) {
                LOG.log(Level.INFO, "closing slow consumer {0}: {1} bytes waiting", new Object[]{Peer.this, queuedBytes});
                close(CloseCodes.SLOW_CONSUMER, "slow consumer");
            }

            @Override
            public void failed(Throwable cause) {
                // The socket is gone: nothing can be read any more, so release at once and close without waiting.
                if (closing.compareAndSet(false, true)) {
                    closer.execute(Peer.this::release);
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

    /**
     * Encodes one frame for this connection only, queues it, and writes it on the calling thread unless a send
     * is under way (see {@link #send(EncodedFrame)}). The caller must hold no lock.
     */
    public void send(ServerFrame frame) {
        if (frame instanceof ServerFrame.Error e) {
            onRefusal.accept(e);
        }
        send(EncodedFrame.of(frame));
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
        framesOut.incrementAndGet();
        outbox.flush();
        return true;
    }

    /**
     * Queues a frame for a writer thread to send. No I/O on the calling thread: safe under any lock, for frames
     * whose order is decided under one (presence, the answer to a join). Returns false when it was dropped.
     */
    public boolean post(EncodedFrame frame) {
        return counted(outbox.offer(frame));
    }

    /**
     * Queues a frame without sending it: the caller must {@link #flush} once it holds no lock. Returns false when
     * it was dropped (closed or overflowing).
     */
    public boolean enqueue(EncodedFrame frame) {
        return counted(outbox.enqueue(frame));
    }

    /**
     * Queues a sender's message without sending it (the caller must {@link #flush} once it holds no lock); the
     * frame holds {@code receipt} until written or dropped, unless the connection lags (see {@link Outbox}).
     * Returns false when it was dropped.
     */
    public boolean enqueue(EncodedFrame frame, IntakeWindow.Receipt receipt) {
        return counted(outbox.enqueue(frame, receipt));
    }

    /**
     * Opens a receipt in this connection's intake window for a message of about {@code bytes} it sent and the server
     * accepted; whoever opened it calls {@link IntakeWindow.Receipt#done} once it was handed to every outbox.
     * Connection's thread only.
     */
    public IntakeWindow.Receipt accepted(int bytes) {
        return intake.open(bytes);
    }

    /**
     * Waits, holding no lock, while more of this connection's accepted messages wait to be written out than its
     * intake window allows (see {@link IntakeWindow}); returns at once when the connection closes. For the
     * connection's own thread, before it takes the next frame: the client is slowed down by TCP meanwhile.
     */
    public void awaitIntake() {
        intake.await();
    }

    /** The connection's intake window. */
    public IntakeWindow intake() {
        return intake;
    }

    private boolean counted(boolean queued) {
        if (queued) {
            framesOut.incrementAndGet();
        }
        return queued;
    }

    /** Counts one frame received from the client (any thread). */
    public void received() {
        framesIn.incrementAndGet();
    }

    /** Frames received from the client so far. */
    public long framesIn() {
        return framesIn.get();
    }

    /** Frames queued for the client so far (those dropped as closed or overflowing not counted). */
    public long framesOut() {
        return framesOut.get();
    }

    /** How long the connection has been open. */
    public Duration openFor() {
        return Duration.ofNanos(System.nanoTime() - openedAt);
    }

    /**
     * Queues a signal (see {@link Outbox#enqueueSignal}: newest wins per key once the client falls behind, and it
     * is dropped rather than overflowing the queue) without sending it: the caller must {@link #flush} once it
     * holds no lock. Returns false when it was dropped.
     */
    public boolean enqueueSignal(String key, EncodedFrame frame) {
        return outbox.enqueueSignal(key, frame);
    }

    /** Sends what is queued on the calling thread unless a send is under way; call it holding no lock. */
    public void flush() {
        outbox.flush();
    }

    /**
     * Closes the connection with a code and reason, once (later calls do nothing), and releases it at once on the
     * closer (the others see it leave now, not when the socket is finally closed). Frames not yet handed to the
     * socket are dropped; the close frame follows the frame being written. A slow consumer's close frame also
     * waits until the client has read everything handed to the socket before it (shown by its answer to a ping
     * sent after that data), so that a client that resumes reading sees 4008, not a cut connection; either wait
     * ends after the close grace. Never does I/O on the calling thread: safe from any thread, under any lock.
     */
    public void close(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            outbox.close();
            intake.close();
            closer.execute(this::release);
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
        if (payload != null && payload.remaining() == DRAIN_PING.length) {
            byte[] b = new byte[DRAIN_PING.length];
            payload.duplicate().get(b);
            if (Arrays.equals(DRAIN_PING, b)) {
                drained.complete(null);
            }
        }
    }

    /** Like {@link #close}, but on the calling thread: for shutdown, when executors may be stopping. */
    public void closeNow(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            outbox.close();
            intake.close();
            transport.close(code, reason);
        }
    }

    /**
     * Whether the client asked for presence as {@code presence_diff} frames (the {@code presence-diff} feature)
     * instead of one {@code presence} frame per event.
     */
    public boolean presenceDiffs() {
        return presenceDiffs;
    }

    /** Turns on {@link #presenceDiffs()}; called once while the connection is admitted, before it joins a room. */
    public void presenceDiffs(boolean on) {
        this.presenceDiffs = on;
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
        intake.close();
    }

    @Override
    public String toString() {
        return "Peer[" + id + ", " + user + "]";
    }
}
