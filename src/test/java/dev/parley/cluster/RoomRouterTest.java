package dev.parley.cluster;

import dev.parley.config.Settings;
import dev.parley.history.Draft;
import dev.parley.history.InMemoryMessageStore;
import dev.parley.history.Sequencer;
import dev.parley.metrics.Meters;
import dev.parley.room.RoomLanes;
import dev.parley.room.RoomRegistry;
import dev.parley.session.EncodedFrame;
import dev.parley.session.FakeTransport;
import dev.parley.session.Peer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The room router on two nodes of an in-memory grid sharing one store: one order per room whichever node sends,
 * messages a node missed on the way filled in from the store before the next one, and the sender's ack only after
 * its node's members (the sender among them) have the message.
 */
@Timeout(60)
class RoomRouterTest {

    private final Settings settings = Settings.defaults();
    private final FakeGrid.Fabric fabric = new FakeGrid.Fabric();
    private final InMemoryMessageStore store = new InMemoryMessageStore(settings.memoryRetained(), settings.idempotencyWindow());
    private final ExecutorService writers = Executors.newCachedThreadPool();
    private final List<Node> nodes = new ArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();

    /** One node: its registry, lanes, sequencer and router on the shared grid and store. */
    private final class Node {
        final RoomRegistry rooms = new RoomRegistry();
        final Sequencer sequencer = new Sequencer(store, Executors.defaultThreadFactory(), 10_000, 100);
        final RoomRouter router;

        Node(String id) {
            FakeGrid grid = fabric.node(id);
            router = new RoomRouter(Cluster.on(grid), sequencer, store, rooms, RoomLanes.on(writers), new Meters(), settings);
            grid.subscribe(Cluster.nodeTopic(id), text -> ClusterStart.dispatch(NodeMail.decode(text), router, null));
            nodes.add(this);
        }

        /** A member of the room on this node, joined as RoomService does (the room's traffic followed first). */
        FakeTransport member(String user, String room) {
            FakeTransport t = new FakeTransport();
            Peer peer = new Peer("p" + ids.incrementAndGet(), user, "test", t, 1 << 24, Duration.ZERO, Runnable::run, Runnable::run);
            RoomRegistry.Membership m = rooms.join(peer, room);
            router.attach(room);
            router.joined(room, 0);
            m.subscription().activate(EncodedFrame.of("{\"type\":\"joined\"}"), 0);
            return t;
        }

        /** Sends through the router; the ack (or failure) goes to {@code acks} as the seq (or -1). */
        void send(String room, String from, String text, ConcurrentLinkedQueue<Long> acks, CountDownLatch done) {
            router.append(new Draft.ToRoom(room, from, text, text, Instant.now()), (appended, failure) -> {
                acks.add(failure == null ? ((dev.parley.message.RoomMessage) appended.message()).seq() : -1L);
                done.countDown();
            });
        }
    }

    @Test
    void aMessageStoredWhileANodesSubscriptionWasOnItsWayReachesItsMembersOnceItSettled() throws Exception {
        Node a = new Node("A");
        Node b = new Node("B");
        java.util.concurrent.ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            b.router.start(timer);
            fabric.owner = key -> "A";
            // Node B's subscription has not reached the owner yet when the only message is published.
            fabric.lose = (node, payload) -> node.equals("B") && payload.startsWith("m\n1\n");
            FakeTransport onB = b.member("bob", "r");
            a.send("r", "ann", "early", new ConcurrentLinkedQueue<>(), new CountDownLatch(1));
            awaitTrue(() -> seqs(onB).size() == 1, () -> "bob has the message, got " + onB.sent());
            assertEquals(List.of("early"), texts(onB));
        } finally {
            timer.shutdownNow();
        }
    }

    @AfterEach
    void stop() {
        nodes.forEach(n -> n.sequencer.stop());
        fabric.close();
        writers.shutdownNow();
    }

    @Test
    void messagesSentOnTwoNodesReachBothNodesMembersInOneOrder() throws Exception {
        Node a = new Node("A");
        Node b = new Node("B");
        fabric.owner = key -> "A";
        FakeTransport onA = a.member("ann", "r");
        FakeTransport onB = b.member("bob", "r");
        ConcurrentLinkedQueue<Long> acks = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(200);
        for (int i = 0; i < 100; i++) {
            a.send("r", "ann", "a-" + i, acks, done);
            b.send("r", "bob", "b-" + i, acks, done);
        }
        assertTrue(done.await(30, TimeUnit.SECONDS), "every message answered");
        assertTrue(acks.stream().allMatch(s -> s > 0), "every message acked: " + acks);
        awaitTrue(() -> seqs(onA).size() == 200 && seqs(onB).size() == 200, () -> "both members have 200 messages");
        List<Long> expected = LongStream.rangeClosed(1, 200).boxed().toList();
        assertEquals(expected, seqs(onA));
        assertEquals(expected, seqs(onB));
        assertEquals(texts(onA), texts(onB), "the same order on both nodes");
    }

    @Test
    void aMessageLostOnTheWayToANodeReachesItsMembersBeforeTheNextOne() throws Exception {
        Node a = new Node("A");
        Node b = new Node("B");
        fabric.owner = key -> "A";
        // The owner's publication of seq 2 never reaches node B (a node that missed it while the room moved).
        fabric.lose = (node, payload) -> node.equals("B") && payload.startsWith("m\n2\n");
        FakeTransport onB = b.member("bob", "r");
        ConcurrentLinkedQueue<Long> acks = new ConcurrentLinkedQueue<>();
        for (int i = 1; i <= 3; i++) {
            a.send("r", "ann", "m-" + i, acks, new CountDownLatch(1));
        }
        awaitTrue(() -> seqs(onB).size() == 3, () -> "bob has 3 messages, got " + onB.sent());
        assertEquals(List.of(1L, 2L, 3L), seqs(onB));
        assertEquals(List.of("m-1", "m-2", "m-3"), texts(onB));
    }

    @Test
    void theSendersAckFollowsItsOwnCopyEvenWhenTheRoomsTrafficIsLate() throws Exception {
        Node a = new Node("A");
        Node b = new Node("B");
        fabric.owner = key -> "A";
        fabric.lose = (node, payload) -> node.equals("B") && payload.startsWith("m\n"); // B hears nothing of the room
        FakeTransport onB = b.member("bob", "r");
        List<Integer> copiesAtAck = new ArrayList<>();
        CountDownLatch acked = new CountDownLatch(1);
        b.router.append(new Draft.ToRoom("r", "bob", "mine", "ref-1", Instant.now()), (appended, failure) -> {
            copiesAtAck.add(seqs(onB).size());
            acked.countDown();
        });
        assertTrue(acked.await(10, TimeUnit.SECONDS));
        assertEquals(List.of(1), copiesAtAck, "bob had his own message when the ack was given");
        assertEquals(List.of("mine"), texts(onB));
    }

    private static List<JsonObject> messages(FakeTransport t) {
        List<JsonObject> out = new ArrayList<>();
        for (String s : t.sent()) {
            JsonObject f = Json.createReader(new StringReader(s)).readObject();
            if ("message".equals(f.getString("type", null))) {
                out.add(f);
            }
        }
        return out;
    }

    private static List<Long> seqs(FakeTransport t) {
        return messages(t).stream().map(m -> m.getJsonNumber("seq").longValue()).toList();
    }

    private static List<String> texts(FakeTransport t) {
        return messages(t).stream().map(m -> m.getString("text")).toList();
    }

    private static void awaitTrue(BooleanSupplier condition, java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
