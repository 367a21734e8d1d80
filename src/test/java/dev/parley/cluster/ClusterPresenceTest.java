package dev.parley.cluster;

import dev.parley.config.Settings;
import dev.parley.history.InMemoryMessageStore;
import dev.parley.history.Sequencer;
import dev.parley.message.Payload;
import dev.parley.metrics.Meters;
import dev.parley.protocol.ServerFrame;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cluster presence on two nodes of an in-memory grid: a member's state set on one node reaches the other node's
 * members and its later joiners, and goes with the user's last connection anywhere; the member limit, the room list
 * and the member list count every node's users once.
 */
@Timeout(60)
class ClusterPresenceTest {

    private final Settings settings = Settings.defaults();
    private final FakeGrid.Fabric fabric = new FakeGrid.Fabric();
    private final InMemoryMessageStore store = new InMemoryMessageStore(settings.memoryRetained(), settings.idempotencyWindow());
    private final ExecutorService writers = Executors.newCachedThreadPool();
    private final List<Node> nodes = new ArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();

    /** One clustered node: registry, router and presence on the shared grid, with its presence thread. */
    private final class Node {
        final RoomRegistry rooms = new RoomRegistry();
        final Sequencer sequencer = new Sequencer(store, Executors.defaultThreadFactory(), 10_000, 100);
        final ExecutorService presenceThread = Executors.newSingleThreadExecutor();
        final RoomRouter router;
        final ClusterPresence presence;

        Node(String id) {
            Cluster cluster = Cluster.on(fabric.node(id));
            router = new RoomRouter(cluster, sequencer, store, rooms, RoomLanes.on(writers), new Meters(), settings);
            presence = new ClusterPresence(cluster, rooms, router);
            presence.start(presenceThread);
            nodes.add(this);
        }

        /** A connection of the user joining the room here, as RoomService does. */
        Member join(String user, String room) {
            FakeTransport t = new FakeTransport();
            Peer peer = new Peer("p" + ids.incrementAndGet(), user, "test", t, 1 << 24, Duration.ZERO, Runnable::run, Runnable::run);
            RoomRegistry.Membership m = rooms.join(peer, room);
            router.attach(room);
            presence.changed(room, user);
            router.joined(room, 0);
            m.subscription().activate(EncodedFrame.of("{\"type\":\"joined\"}"), 0);
            return new Member(this, peer, t, room);
        }

        /** Waits until this node's presence thread has done what it was given so far. */
        void settle() throws Exception {
            presenceThread.submit(() -> { }).get(10, TimeUnit.SECONDS);
            fabric.settle();
        }
    }

    private record Member(Node node, Peer peer, FakeTransport transport, String room) {
        void leave() {
            if (node.rooms.leave(peer, room) == RoomRegistry.Departure.LEFT_LAST) {
                node.presence.changed(room, peer.user());
            }
        }
    }

    @AfterEach
    void stop() {
        nodes.forEach(n -> {
            n.sequencer.stop();
            n.presenceThread.shutdownNow();
        });
        fabric.close();
        writers.shutdownNow();
    }

    @Test
    void aStateSetOnOneNodeReachesTheOtherNodesMembersAndItsLaterJoiners() throws Exception {
        Node a = new Node("A");
        Node b = new Node("B");
        Member ann = a.join("ann", "r");
        Member bob = b.join("bob", "r");
        a.settle();
        b.settle();

        a.presence.state("r", "ann", state("{\"colour\":\"#e33\"}"));

        awaitTrue(() -> frames(bob.transport(), "presence").stream().anyMatch(f -> "update".equals(f.getString("event"))),
                () -> "bob gets ann's update, got " + bob.transport().sent());
        JsonObject update = frames(bob.transport(), "presence").stream().filter(f -> "update".equals(f.getString("event"))).findFirst().orElseThrow();
        assertEquals("ann", update.getString("user"));
        assertEquals("#e33", update.getJsonObject("data").getString("colour"));
        assertTrue(frames(ann.transport(), "presence").stream().noneMatch(f -> "update".equals(f.getString("event"))),
                "the user's own connection is not told its own update: " + ann.transport().sent());

        Map<String, Payload> seenOnB = b.presence.states("r", List.of("ann", "bob", "carl"), Map.of());
        assertEquals(List.of("ann"), List.copyOf(seenOnB.keySet()), "a joiner on B reads every node's states");
        assertEquals("#e33", seenOnB.get("ann").json().getString("colour"));
    }

    @Test
    void theStateGoesWithTheUsersLastConnectionAnywhere() throws Exception {
        Node a = new Node("A");
        Node b = new Node("B");
        Member annOnA = a.join("ann", "r");
        Member annOnB = b.join("ann", "r");
        b.join("bob", "r");
        a.settle();
        b.settle();
        a.presence.state("r", "ann", state("{\"status\":\"away\"}"));
        a.settle();

        annOnA.leave();
        a.settle();
        assertEquals(List.of("ann"), List.copyOf(b.presence.states("r", List.of("ann"), Map.of()).keySet()),
                "ann still has a connection in the room (on B): her state stays");

        annOnB.leave();
        b.settle();
        assertEquals(Map.of(), a.presence.states("r", List.of("ann"), Map.of()), "ann left everywhere: her state is gone");
        assertEquals(List.of("bob"), a.presence.members("r", List.of()));
    }

    @Test
    void whenANodeDiesItsUsersStatesGoWithThemButNotThoseOfUsersStillConnectedElsewhere() throws Exception {
        Node a = new Node("A");
        Node b = new Node("B");
        a.join("ann", "r");
        a.join("carl", "r");
        b.join("carl", "r");
        Member bob = b.join("bob", "r");
        a.settle();
        b.settle();
        a.presence.state("r", "ann", state("{\"status\":\"busy\"}"));
        a.presence.state("r", "carl", state("{\"status\":\"free\"}"));
        a.settle();

        fabric.kill("A");
        b.settle();

        awaitTrue(() -> frames(bob.transport(), "presence").stream().anyMatch(f -> "leave".equals(f.getString("event"))),
                () -> "bob sees ann leave, got " + bob.transport().sent());
        assertEquals(List.of("carl"), List.copyOf(b.presence.states("r", List.of("ann", "bob", "carl"), Map.of()).keySet()),
                "ann's state went with her node; carl is still here");
        assertTrue(frames(bob.transport(), "presence").stream().noneMatch(f -> "carl".equals(f.getString("user"))
                && "leave".equals(f.getString("event"))), "carl did not leave");
    }

    @Test
    void aStateSetByAConnectionThatLeftBeforeItWasSharedIsNotKept() throws Exception {
        Node a = new Node("A");
        Node b = new Node("B");
        b.join("bob", "r");
        CountDownLatchTask hold = new CountDownLatchTask();
        a.presenceThread.execute(hold); // the presence thread is busy: the join, the state and the leave all wait
        Member ann = a.join("ann", "r");
        a.presence.state("r", "ann", state("{\"status\":\"here\"}"));
        ann.leave();
        hold.release();
        a.settle();
        b.settle();
        assertEquals(Map.of(), b.presence.states("r", List.of("ann"), Map.of()));
    }

    @Test
    void theMemberLimitCountsTheUsersOfEveryNodeOnce() throws Exception {
        Node a = new Node("A");
        Node b = new Node("B");
        a.join("ann", "r");
        a.join("bob", "r");
        b.join("bob", "r");
        b.join("carl", "r");
        a.settle();
        b.settle();
        assertTrue(b.presence.isFull("r", "dora", b.rooms.members("r"), 3), "ann, bob and carl fill a room of 3");
        assertFalse(b.presence.isFull("r", "ann", b.rooms.members("r"), 3), "another tab of a member still gets in");
        assertFalse(b.presence.isFull("r", "dora", b.rooms.members("r"), 4), "bob counts once: there is room for a fourth");
        assertFalse(b.presence.isFull("r", "dora", b.rooms.members("r"), 0), "0: no limit");
    }

    @Test
    void theRoomListCountsEveryNodesUsersOnce() throws Exception {
        Node a = new Node("A");
        Node b = new Node("B");
        a.join("ann", "r");
        a.join("bob", "r");
        b.join("bob", "r");
        b.join("carl", "s");
        a.settle();
        b.settle();
        assertEquals(List.of(new ServerFrame.RoomInfo("r", 2), new ServerFrame.RoomInfo("s", 1)), a.presence.rooms(Map.of()));
        // A join here that the grid does not know yet counts too.
        assertEquals(List.of(new ServerFrame.RoomInfo("r", 2), new ServerFrame.RoomInfo("s", 1), new ServerFrame.RoomInfo("t", 1)),
                a.presence.rooms(Map.of("r", List.of("ann"), "t", List.of("dora"))));
    }

    /** A task that blocks its thread until released. */
    private static final class CountDownLatchTask implements Runnable {
        private final java.util.concurrent.CountDownLatch latch = new java.util.concurrent.CountDownLatch(1);

        @Override
        public void run() {
            try {
                latch.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void release() {
            latch.countDown();
        }
    }

    private static Payload state(String json) {
        return Payload.parse(json);
    }

    static List<JsonObject> frames(FakeTransport t, String type) {
        List<JsonObject> out = new ArrayList<>();
        for (String s : t.sent()) {
            JsonObject f = Json.createReader(new StringReader(s)).readObject();
            if (type.equals(f.getString("type", null))) {
                out.add(f);
            }
        }
        return out;
    }

    static void awaitTrue(BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
