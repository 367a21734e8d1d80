package dev.parley.room;

import dev.parley.message.Payload;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.ServerFrame;
import dev.parley.session.EncodedFrame;
import dev.parley.session.FakeTransport;
import dev.parley.session.Peer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The presence a room's members are told, with a hand-driven timer: nothing is sent to diff clients until the
 * interval's timer fires, and then one frame with every change; version 1 clients keep one frame per event in a
 * small room. No sleeps: {@link #tick()} runs what the timer would have run.
 */
@Timeout(30)
class PresenceCoalescerTest {

    private static final int LARGE_ROOM = 5;

    private final List<Runnable> timer = new ArrayList<>();
    private final List<Long> delays = new ArrayList<>();
    private final RoomRegistry rooms = new RoomRegistry(new PresenceCoalescer(
            new PresenceSettings(Duration.ofMillis(80), LARGE_ROOM), (task, delay) -> {
                timer.add(task);
                delays.add(delay);
            }, RoomLanes.on(Runnable::run)));
    private int ids;

    private record Client(Peer peer, FakeTransport transport) {
        List<String> sent() {
            return transport.sent();
        }

        List<JsonObject> frames(String type) {
            return sent().stream().filter(f -> f.startsWith("{")).map(f -> Json.createReader(new StringReader(f)).readObject())
                    .filter(f -> f.getString("type").equals(type)).toList();
        }
    }

    private Client client(String user, boolean diffs) {
        FakeTransport t = new FakeTransport();
        Peer p = new Peer("p" + (++ids), user, "test", t, 1 << 24, Duration.ZERO, Runnable::run, Runnable::run);
        p.presenceDiffs(diffs);
        return new Client(p, t);
    }

    private RoomRegistry.Membership joinNow(Client c, String room) {
        RoomRegistry.Membership m = rooms.join(c.peer(), room);
        m.subscription().activate(EncodedFrame.of("joined"), 0);
        return m;
    }

    /** Runs every flush the timer holds, as it would once the interval has passed. */
    private void tick() {
        List<Runnable> due = new ArrayList<>(timer);
        timer.clear();
        due.forEach(Runnable::run);
    }

    private static List<String> strings(JsonObject f, String name) {
        return f.containsKey(name) ? f.getJsonArray(name).getValuesAs(jakarta.json.JsonString.class).stream()
                .map(jakarta.json.JsonString::getString).toList() : List.of();
    }

    private static String presence(String user, String event) {
        return FrameCodec.shared().encode(new ServerFrame.Presence("r", user, event));
    }

    @Test
    void joinsAndLeavesOfAnIntervalReachDiffClientsAsOneFrameWhenTheTimerFires() {
        Client watcher = client("watcher", true);
        joinNow(watcher, "r");
        tick();
        int before = watcher.sent().size();
        Client bob = client("bob", false);
        Client carol = client("carol", true);
        Client alice = client("alice", true);
        joinNow(bob, "r");
        joinNow(carol, "r");
        joinNow(alice, "r");
        rooms.leave(carol.peer(), "r");
        assertEquals(before, watcher.sent().size(), "nothing before the interval ends");
        assertEquals(1, timer.size(), "one flush scheduled for the whole interval");
        assertEquals(List.of(80L, 80L), delays);
        tick();
        List<JsonObject> diffs = watcher.frames("presence_diff");
        JsonObject diff = diffs.get(diffs.size() - 1);
        assertEquals(List.of("alice", "bob"), strings(diff, "joins"));
        assertEquals(List.of("carol"), strings(diff, "leaves"));
        assertEquals(3, diff.getInt("count"));
        assertEquals(before + 1, watcher.sent().size(), "exactly one frame");
        tick();
        assertEquals(before + 1, watcher.sent().size(), "no frame for an interval without changes");
    }

    @Test
    void versionOneClientsKeepOneFrameAnEventInASmallRoomAndNeverGetDiffs() {
        Client v1 = client("v1", false);
        joinNow(v1, "r");
        joinNow(client("alice", true), "r");
        Client bob = client("bob", false);
        joinNow(bob, "r");
        rooms.leave(bob.peer(), "r");
        tick();
        assertEquals(List.of("joined", presence("alice", "join"), presence("bob", "join"), presence("bob", "leave")),
                v1.sent());
    }

    @Test
    void diffClientsGetNoOneEventFrames() {
        Client alice = client("alice", true);
        joinNow(alice, "r");
        joinNow(client("bob", false), "r");
        assertEquals(List.of("joined"), alice.sent());
    }

    @Test
    void aUserWhoLeftAndCameBackWithinTheIntervalIsListedWhereTheyEndedUp() {
        Client watcher = client("watcher", true);
        joinNow(watcher, "r");
        Client bob = client("bob", true);
        joinNow(bob, "r");
        tick();
        rooms.leave(bob.peer(), "r");
        Client bobAgain = client("bob", true);
        joinNow(bobAgain, "r");
        Client dan = client("dan", true);
        joinNow(dan, "r");
        rooms.leave(dan.peer(), "r");
        tick();
        JsonObject diff = watcher.frames("presence_diff").get(1);
        assertEquals(List.of("bob"), strings(diff, "joins"));
        assertEquals(List.of("dan"), strings(diff, "leaves"));
    }

    @Test
    void statesSetWithinAnIntervalGoOutOnceWithTheLastValue() {
        Client watcher = client("watcher", true);
        joinNow(watcher, "r");
        Client alice = client("alice", true);
        joinNow(alice, "r");
        tick();
        rooms.state(alice.peer(), "r", Payload.of(Json.createObjectBuilder().add("c", 1).build()));
        rooms.state(alice.peer(), "r", Payload.of(Json.createObjectBuilder().add("c", 2).build()));
        tick();
        JsonObject diff = watcher.frames("presence_diff").get(1);
        assertEquals(2, diff.getJsonObject("state").getJsonObject("alice").getInt("c"));
        assertTrue(!diff.containsKey("joins") && !diff.containsKey("leaves"), diff::toString);
    }

    @Test
    void aLargeRoomTellsOnlyTheCountAndNothingPerUserToVersionOneClients() {
        Client diffs = client("a-diffs", true);
        Client v1 = client("a-v1", false);
        joinNow(diffs, "r");
        joinNow(v1, "r");
        List<Client> others = new ArrayList<>();
        for (int i = 0; i < LARGE_ROOM; i++) {
            others.add(client("u" + i, true));
            joinNow(others.get(i), "r");
        }
        tick();
        int v1Frames = v1.sent().size();
        rooms.leave(others.get(0).peer(), "r");
        joinNow(client("u9", true), "r");
        tick();
        assertEquals(v1Frames, v1.sent().size(), "no per-user presence in a large room");
        List<JsonObject> seen = diffs.frames("presence_diff");
        JsonObject large = seen.get(seen.size() - 1);
        assertEquals(7, large.getInt("count"));
        assertTrue(!large.containsKey("joins") && !large.containsKey("leaves") && !large.containsKey("members"), large::toString);
        assertEquals(1, seen.size(), "the join and leave left the count as it was: no second diff");

        // small again: the whole list, since the lists went stale while the room was large
        rooms.leave(others.get(1).peer(), "r");
        rooms.leave(others.get(2).peer(), "r");
        tick();
        seen = diffs.frames("presence_diff");
        assertEquals(List.of("a-diffs", "a-v1", "u3", "u4", "u9"), strings(seen.get(seen.size() - 1), "members"));
    }

    @Test
    void inAClusterTheWholeListOfARoomSmallAgainCarriesTheStatesOfEveryNodesMembers() {
        Payload remoteState = Payload.parse("{\"status\":\"elsewhere\"}");
        rooms.presence().censusFrom(room -> {
            List<String> all = new ArrayList<>(rooms.members(room));
            all.add("remote");
            all.sort(null);
            return all;
        });
        rooms.presence().statesFrom((room, users) -> users.contains("remote") ? Map.of("remote", remoteState) : Map.of());
        Client diffs = client("a-diffs", true);
        joinNow(diffs, "r");
        List<Client> others = new ArrayList<>();
        for (int i = 0; i < LARGE_ROOM; i++) {
            others.add(client("u" + i, true));
            joinNow(others.get(i), "r");
        }
        tick();
        rooms.leave(others.get(0).peer(), "r");
        rooms.leave(others.get(1).peer(), "r");
        tick();
        List<JsonObject> seen = diffs.frames("presence_diff");
        JsonObject small = seen.get(seen.size() - 1);
        assertEquals(List.of("a-diffs", "remote", "u2", "u3", "u4"), strings(small, "members"));
        assertEquals("elsewhere", small.getJsonObject("state").getJsonObject("remote").getString("status"), small::toString);
    }

    @Test
    void aJoinedListsTheFirstPageAndTheCountAndPagesReturnEveryoneOnce() {
        Set<String> users = new TreeSet<>();
        for (int i = 0; i < 23; i++) {
            Client c = client(String.format("m%02d", i), true);
            joinNow(c, "r");
            users.add(c.peer().user());
        }
        Client last = client("zed", true);
        RoomRegistry.Membership m = rooms.join(last.peer(), "r");
        users.add("zed");
        assertEquals(24, m.count());
        assertEquals(List.of("m00", "m01", "m02", "m03", "m04"), m.members());
        assertTrue(m.partial());

        List<String> paged = new ArrayList<>();
        Set<String> distinct = new HashSet<>();
        String after = null;
        int pages = 0;
        do {
            RoomRegistry.MemberPage page = rooms.page("r", after, 7);
            assertEquals(24, page.count());
            paged.addAll(page.members());
            distinct.addAll(page.members());
            after = page.next();
            pages++;
        } while (after != null);
        assertEquals(new ArrayList<>(users), paged, "everyone exactly once, in order");
        assertEquals(24, distinct.size());
        assertEquals(4, pages);
    }

    @Test
    void aStormOfJoinsCostsOneDiffPerMemberPerIntervalNotOneFramePerJoin() {
        int n = 400;
        RoomRegistry big = new RoomRegistry(new PresenceCoalescer(new PresenceSettings(Duration.ofMillis(50), 1000),
                (task, delay) -> timer.add(task), RoomLanes.on(Runnable::run)));
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Client c = client("s" + i, true);
            big.join(c.peer(), "storm").subscription().activate(EncodedFrame.of("joined"), 0);
            clients.add(c);
            if (i % 100 == 99) {
                tick(); // four intervals in the storm
            }
        }
        int frames = clients.stream().mapToInt(c -> c.sent().size()).sum();
        // one joined each, and at most one diff per interval for each member present at it
        assertTrue(frames <= n + 100 + 200 + 300 + 400, "frames sent: " + frames);
        Set<String> seenByFirst = new TreeSet<>();
        for (JsonObject d : clients.get(0).frames("presence_diff")) {
            seenByFirst.addAll(strings(d, "joins"));
        }
        assertEquals(n, seenByFirst.size(), "the first member learnt of everyone");
    }

    @Test
    void aLargeRoomsCountIsToldLessOftenTheLargerItIs() {
        PresenceCoalescer c = new PresenceCoalescer(new PresenceSettings(Duration.ofMillis(100), 200), (t, d) -> { },
                RoomLanes.on(Runnable::run));
        assertEquals(List.of(100L, 100L, 200L, 5000L), List.of(c.delayMillis(1), c.delayMillis(200), c.delayMillis(201),
                c.delayMillis(10_000)));
    }
}
