package dev.parley.cluster;

import dev.parley.config.Settings;
import dev.parley.history.InMemoryMessageStore;
import dev.parley.history.Sequencer;
import dev.parley.metrics.Meters;
import dev.parley.room.RoomLanes;
import dev.parley.room.RoomRegistry;
import dev.parley.session.EncodedFrame;
import dev.parley.session.FakeTransport;
import dev.parley.session.Peer;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static dev.parley.cluster.ClusterPresenceTest.frames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signals across nodes: a node publishes a sender's signals on the room's topic, newest wins while they wait; the other
 * nodes relay them to their members but the sender's user, and the sender's own node does not deliver them twice.
 */
@Timeout(60)
class SignalRelayTest {

    private final Settings settings = Settings.defaults();
    private final FakeGrid.Fabric fabric = new FakeGrid.Fabric();
    private final InMemoryMessageStore store = new InMemoryMessageStore(settings.memoryRetained(), settings.idempotencyWindow());
    private final ExecutorService writers = Executors.newCachedThreadPool();
    private final Sequencer sequencer = new Sequencer(store, Executors.defaultThreadFactory(), 10_000, 100);

    /** Runs what it was given only when told to. */
    private static final class HeldExecutor implements java.util.concurrent.Executor {
        final Queue<Runnable> tasks = new ArrayDeque<>();

        @Override
        public synchronized void execute(Runnable task) {
            tasks.add(task);
        }

        synchronized void runAll() {
            Runnable r;
            while ((r = tasks.poll()) != null) {
                r.run();
            }
        }
    }

    @AfterEach
    void stop() {
        sequencer.stop();
        fabric.close();
        writers.shutdownNow();
    }

    @Test
    void aSendersSignalsWaitingForTheGridAreReplacedByTheNewestAndOtherSendersKeepTheirs() throws Exception {
        FakeGrid a = fabric.node("A");
        FakeGrid watcher = fabric.node("W");
        Queue<String> published = new ConcurrentLinkedQueue<>();
        watcher.subscribe(Cluster.roomTopic("r"), published::add);
        SignalRelay relay = new SignalRelay(Cluster.on(a));
        HeldExecutor thread = new HeldExecutor();
        relay.start(thread);

        relay.send("r", "c1", "ann", "{\"n\":1}");
        relay.send("r", "c1", "ann", "{\"n\":2}");
        relay.send("r", "c2", "bob", "{\"n\":1}");
        relay.send("r", "c1", "ann", "{\"n\":3}");
        thread.runAll();
        relay.send("r", "c1", "ann", "{\"n\":4}");
        thread.runAll();
        fabric.settle();

        assertEquals(List.of(
                        new RoomEvent.Signal("A", "c1", "ann", "{\"n\":3}"),
                        new RoomEvent.Signal("A", "c2", "bob", "{\"n\":1}"),
                        new RoomEvent.Signal("A", "c1", "ann", "{\"n\":4}")),
                published.stream().map(RoomEvent::decode).toList());
    }

    @Test
    void anotherNodesSignalReachesThisNodesMembersButTheSendersUserAndItsOwnNodeIgnoresItsEcho() throws Exception {
        RoomRegistry onA = new RoomRegistry();
        RoomRegistry onB = new RoomRegistry();
        Cluster a = Cluster.on(fabric.node("A"));
        Cluster b = Cluster.on(fabric.node("B"));
        RoomRouter routerA = new RoomRouter(a, sequencer, store, onA, RoomLanes.on(writers), new Meters(), settings);
        RoomRouter routerB = new RoomRouter(b, sequencer, store, onB, RoomLanes.on(writers), new Meters(), settings);
        FakeTransport annOnA = member(onA, routerA, "ann");
        FakeTransport carlOnA = member(onA, routerA, "carl");
        FakeTransport annOnB = member(onB, routerB, "ann");
        FakeTransport bobOnB = member(onB, routerB, "bob");
        SignalRelay relay = new SignalRelay(a);
        relay.start(Runnable::run);

        String frame = "{\"type\":\"signal\",\"room\":\"r\",\"from\":\"ann\",\"data\":{\"x\":1}}";
        relay.send("r", "ann-1", "ann", frame);
        fabric.settle();

        List<JsonObject> got = frames(bobOnB, "signal");
        assertEquals(1, got.size(), bobOnB.sent()::toString);
        assertEquals("ann", got.get(0).getString("from"));
        assertTrue(frames(annOnB, "signal").isEmpty(), "never to the sender's own user: " + annOnB.sent());
        assertTrue(frames(carlOnA, "signal").isEmpty() && frames(annOnA, "signal").isEmpty(),
                "the sender's node delivers to its own members itself, not again from the topic");
    }

    @Test
    void roomEventsOfStatesAndSignalsReadBackAsWritten() {
        assertEquals(new RoomEvent.State("ann", "{\"a\":\"x\\ny\"}"), RoomEvent.decode(RoomEvent.state("ann", "{\"a\":\"x\\ny\"}")));
        assertEquals(new RoomEvent.Signal("n-1", "c-1", "ann", "{\"t\":1}"),
                RoomEvent.decode(RoomEvent.signal("n-1", "c-1", "ann", "{\"t\":1}")));
    }

    private static FakeTransport member(RoomRegistry rooms, RoomRouter router, String user) {
        FakeTransport t = new FakeTransport();
        Peer peer = new Peer(user + "-" + System.nanoTime(), user, "test", t, 1 << 24, Duration.ZERO, Runnable::run, Runnable::run);
        RoomRegistry.Membership m = rooms.join(peer, "r");
        router.attach("r");
        m.subscription().activate(EncodedFrame.of("{\"type\":\"joined\"}"), 0);
        return t;
    }
}
