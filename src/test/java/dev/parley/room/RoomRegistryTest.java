package dev.parley.room;

import dev.parley.message.Payload;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.ServerFrame;
import dev.parley.session.EncodedFrame;
import dev.parley.session.FakeTransport;
import dev.parley.session.Peer;
import jakarta.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoomRegistryTest {

    private final RoomRegistry rooms = new RoomRegistry();
    private int ids;

    private record Client(Peer peer, FakeTransport transport) {
        List<String> sent() {
            return transport.sent();
        }
    }

    private Client client(String user) {
        FakeTransport t = new FakeTransport();
        return new Client(new Peer("p" + (++ids), user, "test", t, 1 << 20, Duration.ZERO, Runnable::run, Runnable::run), t);
    }

    private static EncodedFrame text(String s) {
        return EncodedFrame.of(s);
    }

    private void joinNow(Client c, String room) {
        RoomRegistry.Membership m = rooms.join(c.peer(), room);
        m.subscription().activate(text("joined"), 0);
    }

    private static String presence(String room, String user, String event) {
        return FrameCodec.shared().encode(new ServerFrame.Presence(room, user, event));
    }

    @Test
    void presenceIsAnnouncedForTheFirstTabInAndTheLastTabOut() {
        Client bob = client("bob");
        Client tab1 = client("alice");
        Client tab2 = client("alice");
        joinNow(bob, "r");
        joinNow(tab1, "r");
        joinNow(tab2, "r");
        assertEquals(RoomRegistry.Departure.LEFT, rooms.leave(tab1.peer(), "r"));
        assertEquals(RoomRegistry.Departure.LEFT_LAST, rooms.leave(tab2.peer(), "r"));
        assertEquals(RoomRegistry.Departure.NOT_MEMBER, rooms.leave(tab2.peer(), "r"));
        assertEquals(List.of("joined", presence("r", "alice", "join"), presence("r", "alice", "leave")), bob.sent());
        assertEquals(List.of("joined"), tab1.sent(), "a user is not told about itself");
    }

    @Test
    void membersAreDistinctSortedUsers() {
        Client c = client("carol");
        Client a1 = client("alice");
        Client a2 = client("alice");
        joinNow(c, "r");
        joinNow(a1, "r");
        assertEquals(List.of("alice", "carol"), rooms.join(a2.peer(), "r").members());
        assertEquals(List.of(new ServerFrame.RoomInfo("r", 2)), rooms.list());
    }

    @Test
    void framesWaitForTheJoinAnswerAndMessagesAlreadyInTheAnswerAreNotRepeated() {
        Client alice = client("alice");
        RoomRegistry.Membership m = rooms.join(alice.peer(), "r");
        rooms.publish("r", 5, text("m5"));   // stored before the history was read: also in the answer
        rooms.publish("r", 6, text("m6"));   // stored after: only live
        rooms.signal("r", text("typing"), "bob");
        assertEquals(List.of(), alice.sent(), "nothing before joined");
        m.subscription().activate(text("joined[..m5]"), 5);
        rooms.publish("r", 7, text("m7"));
        rooms.publish("r", 6, text("m6 again"));
        assertEquals(List.of("joined[..m5]", "m6", "typing", "m7"), alice.sent());
    }

    @Test
    void aRoomDisappearsWithItsLastMemberAndCanBeJoinedAgain() {
        Client alice = client("alice");
        joinNow(alice, "r");
        rooms.leave(alice.peer(), "r");
        assertEquals(List.of(), rooms.list());
        joinNow(alice, "r");
        assertEquals(List.of(new ServerFrame.RoomInfo("r", 1)), rooms.list());
        assertEquals(java.util.Set.of("r"), alice.peer().rooms());
    }

    @Test
    void aLeftSubscriptionGetsNothingMore() {
        Client alice = client("alice");
        Client bob = client("bob");
        joinNow(alice, "r");
        joinNow(bob, "r");
        rooms.leave(alice.peer(), "r");
        rooms.publish("r", 1, text("m1"));
        assertEquals(List.of("joined", presence("r", "bob", "join")), alice.sent());
        assertEquals(List.of("joined", presence("r", "alice", "leave"), "m1"), bob.sent());
    }

    @Test
    void memberStateIsSharedByTheUsersTabsAndGoesWithTheLastOne() {
        Payload red = Payload.of(Json.createObjectBuilder().add("colour", "red").build());
        Client bob = client("bob");
        Client tab1 = client("alice");
        Client tab2 = client("alice");
        Client stranger = client("carol");
        joinNow(bob, "r");
        joinNow(tab1, "r");
        joinNow(tab2, "r");
        assertTrue(rooms.state(tab1.peer(), "r", red));
        assertFalse(rooms.state(stranger.peer(), "r", red), "members only");
        String update = FrameCodec.shared().encode(new ServerFrame.Presence("r", "alice", ServerFrame.Presence.UPDATE, red));
        assertEquals(update, bob.sent().get(bob.sent().size() - 1));
        assertEquals(List.of("joined"), tab2.sent(), "the user's own tabs are not told");

        rooms.leave(tab1.peer(), "r");
        assertEquals(Map.of("alice", red), rooms.join(stranger.peer(), "r").states(), "a second tab keeps it");
        rooms.leave(tab2.peer(), "r");
        Client later = client("dave");
        assertEquals(Map.of(), rooms.join(later.peer(), "r").states(), "gone with the last tab");
    }

    @Test
    void signalsReachOtherUsersOnlyAndOnlyOnceJoined() {
        Client alice = client("alice");
        Client aliceTab = client("alice");
        Client bob = client("bob");
        joinNow(alice, "r");
        joinNow(aliceTab, "r");
        RoomRegistry.Membership joining = rooms.join(bob.peer(), "r");
        rooms.relay("r", alice.peer(), text("s1"));
        joining.subscription().activate(text("joined"), 0);
        rooms.relay("r", alice.peer(), text("s2"));
        assertEquals(List.of("joined", "s2"), bob.sent(), "a signal during the join is dropped, not held");
        assertTrue(aliceTab.sent().stream().noneMatch(f -> f.startsWith("s")), "the sender's own tabs are not told");
    }
}
