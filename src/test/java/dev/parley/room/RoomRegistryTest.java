package dev.parley.room;

import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.ServerFrame;
import dev.parley.session.EncodedFrame;
import dev.parley.session.FakeTransport;
import dev.parley.session.Peer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
