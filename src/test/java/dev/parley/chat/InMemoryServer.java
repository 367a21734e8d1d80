package dev.parley.chat;

import dev.parley.config.EventSettings;
import dev.parley.config.Settings;
import dev.parley.history.Draft;
import dev.parley.history.InMemoryMessageStore;
import dev.parley.history.MessageStore;
import dev.parley.history.Sequencer;
import dev.parley.metrics.Meters;
import dev.parley.room.RoomLanes;
import dev.parley.room.RoomRegistry;
import dev.parley.security.AccessPolicy;
import dev.parley.security.RoomTrail;
import dev.parley.security.Authenticator;
import dev.parley.security.ConnectionLimiter;
import dev.parley.security.SecuritySettings;
import dev.parley.session.ConnectionRegistry;
import dev.parley.session.FakeTransport;
import dev.parley.session.Handshake;
import dev.parley.session.OutboundWriters;
import dev.parley.session.Peer;
import jakarta.enterprise.concurrent.ManagedExecutorService;

import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The chat services wired by hand, without a container: the same classes CDI wires in the WAR, over
 * in-memory transports. For unit tests that push many frames through the real frame handler.
 */
final class InMemoryServer implements AutoCloseable {

    final ConnectionService connections = new ConnectionService();
    final FrameRouter router = new FrameRouter();
    final Sequencer sequencer;
    final ConnectionRegistry registry = new ConnectionRegistry();

    final Drain drain = new Drain();
    final Meters meters = new Meters();
    final IntakePacing pacing;

    InMemoryServer(Settings settings, SecuritySettings security) {
        this(settings, security, Runnable::run);
    }

    /** With the rooms' lanes (fan-out and acks after storing) run on {@code lanes}, not on the calling thread. */
    InMemoryServer(Settings settings, SecuritySettings security, Executor lanes) {
        MessageStore store = new InMemoryMessageStore(settings.memoryRetained(), settings.idempotencyWindow());
        sequencer = new Sequencer(store, Executors.defaultThreadFactory(), settings.sequencerCapacity(), settings.sequencerBatch());
        RoomRegistry rooms = new RoomRegistry();
        RoomLanes roomLanes = RoomLanes.on(lanes);
        RoomTrail trail = new RoomTrail(security);
        RoomService roomService = new RoomService(rooms, store, sequencer, settings, security, trail,
                EventSettings.defaults(), roomLanes, meters);
        DirectService directs = new DirectService(registry, sequencer, settings, new AccessPolicy(security, registry, trail));
        connections.connections = registry;
        connections.rooms = roomService;
        connections.directs = directs;
        ConversationService conversations = new ConversationService(registry, store, sequencer, settings);
        conversations.executor = inline();
        connections.conversations = conversations;
        router.conversations = conversations;
        connections.settings = settings;
        connections.security = security;
        connections.events = EventSettings.defaults();
        connections.authenticator = new Authenticator(security);
        connections.limiter = new ConnectionLimiter(security);
        connections.meters = meters;
        pacing = new IntakePacing(settings, meters);
        connections.pacing = pacing;
        drain.sequencer = sequencer;
        drain.connections = registry;
        drain.lanes = roomLanes;
        connections.drain = drain;
        connections.executor = inline();
        connections.writers = new OutboundWriters() {
            @Override
            public void execute(Runnable task) {
                task.run();
            }
        };
        router.rooms = roomService;
        router.directs = directs;
        router.connections = connections;
    }

    /** Opens a connection as the endpoint would; the peer is null when it was refused (see the transport's close). */
    Connection connect(Map<String, List<String>> query, List<String> protocols) {
        FakeTransport t = new FakeTransport();
        Peer peer = connections.open(t, new Handshake(query, protocols, null, "127.0.0.1"));
        return new Connection(peer, t);
    }

    /**
     * Waits until every message submitted so far was stored and announced. The sequencer's queue is fair, not
     * FIFO, so a marker draft is not enough by itself: once a marker submitted while nothing waited is done,
     * everything before it (waiting or in the batch then in hand) is done too.
     */
    void flush() throws InterruptedException {
        boolean idleBefore;
        do {
            idleBefore = sequencer.backlog() == 0;
            CountDownLatch done = new CountDownLatch(1);
            sequencer.submit(new Draft.ToRoom("zz-flush", "flush", "flush", null, Instant.now()), (a, f) -> done.countDown());
            if (!done.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the sequencer did not drain within 10 s");
            }
        } while (!idleBefore);
    }

    /**
     * Waits until the connection's outbox has handed everything to its transport (frames queued while another
     * thread was sending are sent by that thread, a moment later).
     */
    static void drained(Connection c) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c.peer().queuedBytes() > 0 && !c.peer().isClosed()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the outbox did not drain within 10 s");
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public void close() {
        sequencer.stop();
    }

    /** One open connection and what it received. */
    record Connection(Peer peer, FakeTransport transport) {
    }

    private static ManagedExecutorService inline() {
        return (ManagedExecutorService) Proxy.newProxyInstance(InMemoryServer.class.getClassLoader(),
                new Class<?>[]{ManagedExecutorService.class}, (proxy, method, args) -> {
                    if (method.getName().equals("execute")) {
                        ((Runnable) args[0]).run();
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
