package dev.parley.it;

import dev.parley.it.support.Deployments;
import dev.parley.it.support.TestClient;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every frame of protocol v1 in both directions, as clients see them, on one deployed server with the
 * default settings (default room {@code lobby}). Each test uses rooms of its own.
 */
@ExtendWith(ArquillianExtension.class)
@Timeout(60)
class ConversationIT {

    private static final String TS = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley();
    }

    @ArquillianResource
    URL base;

    /**
     * Connects as {@code name}, takes the welcome and the lobby's joined, and ignores presence in the
     * lobby from then on (other tests' clients come and go there).
     */
    private TestClient connect(String name) {
        TestClient c = TestClient.named(base, name);
        assertEquals(name, c.welcome().getString("user"));
        c.expectJoined("lobby");
        return c.ignore(f -> "presence".equals(f.getString("type", null)) && "lobby".equals(f.getString("room", null)));
    }

    /** Round-trips a ping: every frame queued for {@code c} before it has then been received. */
    private static void barrier(TestClient c) {
        c.send("{\"type\":\"ping\",\"ref\":\"barrier\"}");
        assertEquals("barrier", c.expect("pong").getString("ref"));
    }

    private static List<String> strings(JsonObject o, String field) {
        return o.getJsonArray(field).getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
    }

    @Test
    void aConnectionIsWelcomedThenJoinedToTheDefaultRoom() {
        try (TestClient alice = TestClient.named(base, "alice")) {
            JsonObject welcome = alice.welcome();
            assertEquals("alice", welcome.getString("user"));
            assertEquals(1, welcome.getInt("protocol"));
            assertEquals(List.of("lobby"), strings(welcome, "rooms"));
            assertTrue(welcome.getString("session").length() >= 8, welcome::toString);
            JsonObject joined = alice.expect("joined");
            assertEquals("lobby", joined.getString("room"));
            assertTrue(strings(joined, "members").contains("alice"), joined::toString);
            assertTrue(joined.containsKey("history"), joined::toString);
            assertEquals("chat", alice.subprotocol());
        }
    }

    @Test
    void aConnectionWithoutANameGetsAGuestNameAndOneWithoutSubprotocolIsAccepted() {
        try (TestClient guest = TestClient.connect(Deployments.chat(base, null))) {
            JsonObject welcome = guest.expect("welcome");
            assertTrue(welcome.getString("user").matches("guest-[a-z0-9]{4}"), welcome::toString);
            assertEquals("", guest.subprotocol());
            guest.expect("joined");
        }
    }

    @Test
    void joiningAnswersMembersAndTellsTheOthers() {
        try (TestClient alice = connect("j-alice"); TestClient bob = connect("j-bob")) {
            JsonObject aliceJoined = alice.join("j-room");
            assertEquals(List.of("j-alice"), strings(aliceJoined, "members"));
            assertEquals(0, aliceJoined.getJsonArray("history").size());
            assertFalse(aliceJoined.getString("epoch").isEmpty());

            assertEquals(List.of("j-alice", "j-bob"), strings(bob.join("j-room"), "members"));
            JsonObject presence = alice.expect("presence");
            assertEquals("j-room", presence.getString("room"));
            assertEquals("j-bob", presence.getString("user"));
            assertEquals("join", presence.getString("event"));
        }
    }

    @Test
    void aSecondTabJoinsSilentlyAndOnlyTheLastTabToLeaveIsAnnounced() {
        try (TestClient bob = connect("t-bob"); TestClient tab1 = connect("t-alice")) {
            bob.join("t-room");
            tab1.join("t-room");
            assertEquals("join", bob.expect("presence").getString("event"));
            try (TestClient tab2 = connect("t-alice")) {
                JsonObject joined = tab2.join("t-room");
                assertEquals(List.of("t-alice", "t-bob"), strings(joined, "members"));
                barrier(bob); // nothing came before the pong: no presence for the second tab

                tab1.send("{\"type\":\"leave\",\"room\":\"t-room\",\"ref\":\"l1\"}");
                JsonObject left = tab1.expect("left");
                assertEquals("t-room", left.getString("room"));
                assertEquals("l1", left.getString("ref"));
                barrier(bob); // alice is still there in tab2: no presence
            }
            // tab2 closed: alice's last connection in t-room is gone
            JsonObject gone = bob.expect("presence");
            assertEquals("t-room", gone.getString("room"));
            assertEquals("t-alice", gone.getString("user"));
            assertEquals("leave", gone.getString("event"));
        }
    }

    @Test
    void joiningARoomAgainIsHarmlessAndAnsweredAgain() {
        try (TestClient alice = connect("r-alice"); TestClient bob = connect("r-bob")) {
            bob.join("r-room");
            alice.join("r-room");
            assertEquals("join", bob.expect("presence").getString("event"));
            assertEquals(List.of("r-alice", "r-bob"), strings(alice.join("r-room"), "members"));
            barrier(bob); // no second presence
            alice.send("{\"type\":\"message\",\"room\":\"r-room\",\"text\":\"once\"}");
            assertEquals("once", alice.expect("message").getString("text"));
            alice.expect("ack");
            assertEquals("once", bob.expect("message").getString("text"));
            barrier(alice); // the message came once, not once per join
        }
    }

    @Test
    void leavingARoomYouAreNotInIsRefused() {
        try (TestClient alice = connect("n-alice")) {
            alice.send("{\"type\":\"leave\",\"room\":\"n-room\",\"ref\":\"x\"}");
            JsonObject error = alice.expect("error");
            assertEquals("not_member", error.getString("code"));
            assertEquals("x", error.getString("ref"));
        }
    }

    @Test
    void aMessageReachesEveryMemberWithItsSeqAndTheSenderGetsAnAck() {
        try (TestClient alice = connect("m-alice"); TestClient bob = connect("m-bob"); TestClient carol = connect("m-carol")) {
            alice.join("m-room");
            bob.join("m-room");
            assertEquals("m-bob", alice.expect("presence").getString("user"));

            alice.send("{\"type\":\"message\",\"room\":\"m-room\",\"text\":\"hi\",\"ref\":\"c-1\"}");
            JsonObject m1 = alice.expect("message");
            assertEquals("m-room", m1.getString("room"));
            assertEquals("m-alice", m1.getString("from"));
            assertEquals("hi", m1.getString("text"));
            assertEquals("c-1", m1.getString("ref"));
            assertTrue(m1.getString("ts").matches(TS), m1::toString);
            JsonObject ack = alice.expect("ack");
            assertEquals("c-1", ack.getString("ref"));
            assertEquals("m-room", ack.getString("room"));
            assertEquals(m1.getJsonNumber("seq").longValue(), ack.getJsonNumber("seq").longValue());
            assertEquals(m1, bob.expect("message"));

            bob.send("{\"type\":\"message\",\"room\":\"m-room\",\"text\":\"hello\"}");
            JsonObject m2 = bob.expect("message");
            assertEquals(m1.getJsonNumber("seq").longValue() + 1, m2.getJsonNumber("seq").longValue());
            assertFalse(m2.containsKey("ref"));
            assertEquals(m2.getJsonNumber("seq").longValue(), bob.expect("ack").getJsonNumber("seq").longValue());
            assertEquals(m2, alice.expect("message"));
            barrier(carol); // not a member: saw none of it
        }
    }

    @Test
    void typingReachesOnlyTheOtherMembersAtMostOnceInTwoSeconds() {
        try (TestClient alice = connect("y-alice"); TestClient alice2 = connect("y-alice"); TestClient bob = connect("y-bob")) {
            alice.join("y-room");
            alice2.join("y-room");
            bob.join("y-room");
            assertEquals("y-bob", alice.expect("presence").getString("user"));
            assertEquals("y-bob", alice2.expect("presence").getString("user"));
            for (int i = 0; i < 3; i++) {
                alice.send("{\"type\":\"typing\",\"room\":\"y-room\"}");
            }
            alice2.send("{\"type\":\"typing\",\"room\":\"y-room\"}");
            barrier(alice);
            barrier(alice2); // all four typing frames handled; the user's own tabs got none of them
            JsonObject typing = bob.expect("typing");
            assertEquals("y-room", typing.getString("room"));
            assertEquals("y-alice", typing.getString("from"));
            barrier(bob); // one notice for four frames from one user within two seconds
        }
    }

    @Test
    void aDirectMessageReachesEveryTabOfBothUsersAndIsAcked() {
        try (TestClient alice1 = connect("d-alice"); TestClient alice2 = connect("d-alice");
             TestClient bob1 = connect("d-bob"); TestClient bob2 = connect("d-bob"); TestClient carol = connect("d-carol")) {
            alice1.send("{\"type\":\"direct\",\"to\":\"d-bob\",\"text\":\"psst\",\"ref\":\"c-2\"}");
            for (TestClient c : List.of(bob1, bob2, alice1, alice2)) {
                JsonObject d = c.expect("direct");
                assertEquals("d-alice", d.getString("from"));
                assertEquals("d-bob", d.getString("to"));
                assertEquals("psst", d.getString("text"));
                assertEquals("c-2", d.getString("ref"));
                assertTrue(d.getString("ts").matches(TS), d::toString);
            }
            JsonObject ack = alice1.expect("ack");
            assertEquals("c-2", ack.getString("ref"));
            assertEquals("d-bob", ack.getString("to"));
            barrier(carol); // a third user saw nothing
        }
    }

    @Test
    void aDirectMessageToSomeoneOfflineIsAckedAndDeliveredWhenTheyConnect() {
        try (TestClient alice = connect("o-alice")) {
            TestClient met = connect("o-later"); // they met in the lobby; then o-later went offline
            alice.ignore(f -> false);
            met.close();
            // Offline once the server has seen the close (alice sees o-later leave): a message sent while the close
            // is still on its way goes to the closing connection, as any frame in flight when a client goes; the client
            // recovers that one with history and since (DirectConversationIT).
            alice.await(f -> "presence".equals(f.getString("type", null)) && "leave".equals(f.getString("event", null))
                    && "o-later".equals(f.getString("user", null)), java.time.Duration.ofSeconds(10), null);
            alice.send("{\"type\":\"direct\",\"to\":\"o-later\",\"text\":\"hello?\",\"ref\":\"c-3\"}");
            JsonObject copy = alice.expect("direct");
            assertEquals("hello?", copy.getString("text"));
            JsonObject ack = alice.expect("ack");
            assertEquals("c-3", ack.getString("ref"));
            assertEquals("o-later", ack.getString("to"));
            try (TestClient later = TestClient.named(base, "o-later")) {
                JsonObject held = later.await("direct");
                assertEquals("o-alice", held.getString("from"));
                assertEquals("hello?", held.getString("text"));
                assertEquals(copy.getJsonNumber("id"), held.getJsonNumber("id"));
            }
        }
    }

    @Test
    void historyPagesBackOldestFirstAndOnlyForMembers() {
        try (TestClient alice = connect("h-alice"); TestClient bob = connect("h-bob")) {
            alice.join("h-room");
            long first = 0;
            for (int i = 1; i <= 5; i++) {
                alice.send("{\"type\":\"message\",\"room\":\"h-room\",\"text\":\"m" + i + "\"}");
                long seq = alice.expect("message").getJsonNumber("seq").longValue();
                first = i == 1 ? seq : first;
                alice.expect("ack");
            }
            alice.send("{\"type\":\"history\",\"room\":\"h-room\",\"limit\":2,\"ref\":\"h1\"}");
            JsonObject newest = alice.expect("history");
            assertEquals("h1", newest.getString("ref"));
            assertEquals(List.of("m4", "m5"), texts(newest));

            alice.send("{\"type\":\"history\",\"room\":\"h-room\",\"before\":" + (first + 2) + "}");
            assertEquals(List.of("m1", "m2"), texts(alice.expect("history")));

            bob.send("{\"type\":\"history\",\"room\":\"h-room\",\"ref\":\"h2\"}");
            JsonObject refused = bob.expect("error");
            assertEquals("not_member", refused.getString("code"));
            assertEquals("h2", refused.getString("ref"));

            JsonObject joined = bob.join("h-room");
            assertEquals(List.of("m1", "m2", "m3", "m4", "m5"), texts(joined, "history"));
        }
    }

    @Test
    void roomsListsEveryRoomWithItsNumberOfUsers() {
        try (TestClient alice = connect("l-alice"); TestClient alice2 = connect("l-alice"); TestClient bob = connect("l-bob")) {
            alice.join("l-room");
            alice2.join("l-room");
            bob.join("l-room");
            bob.send("{\"type\":\"rooms\",\"ref\":\"q\"}");
            JsonObject rooms = bob.expect("rooms");
            assertEquals("q", rooms.getString("ref"));
            JsonObject lRoom = rooms.getJsonArray("rooms").getValuesAs(JsonObject.class).stream()
                    .filter(r -> r.getString("name").equals("l-room")).findFirst().orElseThrow();
            assertEquals(2, lRoom.getInt("members"), "two users, three connections");
            assertTrue(rooms.getJsonArray("rooms").getValuesAs(JsonObject.class).stream()
                    .anyMatch(r -> r.getString("name").equals("lobby")));
        }
    }

    @Test
    void aClientThatClosesNormallyGets1000BackAndLeavesItsRooms() {
        try (TestClient bob = connect("z-bob")) {
            bob.join("z-room");
            TestClient alice = connect("z-alice");
            alice.join("z-room");
            assertEquals("join", bob.expect("presence").getString("event"));
            assertEquals(1000, alice.closeNormally(TestClient.WAIT).code());
            JsonObject gone = bob.expect("presence");
            assertEquals("z-alice", gone.getString("user"));
            assertEquals("leave", gone.getString("event"));
        }
    }

    @Test
    void pingIsAnsweredWithPong() {
        try (TestClient alice = connect("p-alice")) {
            alice.send("{\"type\":\"ping\",\"ref\":\"p1\"}");
            assertEquals("p1", alice.expect("pong").getString("ref"));
            alice.send("{\"type\":\"ping\"}");
            assertFalse(alice.expect("pong").containsKey("ref"));
        }
    }

    @Test
    void plainTextRightAfterConnectingIsAMessageToTheDefaultRoom() {
        try (TestClient bob = connect("x-bob"); TestClient simple = TestClient.connect(Deployments.chat(base, "name=x-simple"))) {
            simple.send("Hello Server!"); // sent before reading anything, like socket.send() right after new WebSocket()
            simple.expect("welcome");
            simple.expect("joined");
            JsonObject echo = simple.expect("message");
            assertEquals("lobby", echo.getString("room"));
            assertEquals("Hello Server!", echo.getString("text"));
            simple.expect("ack");
            JsonObject seen = bob.expect("message");
            assertEquals("x-simple", seen.getString("from"));
            assertEquals("Hello Server!", seen.getString("text"));
        }
    }

    private static List<String> texts(JsonObject frame) {
        return texts(frame, "messages");
    }

    private static List<String> texts(JsonObject frame, String field) {
        return frame.getJsonArray(field).getValuesAs(JsonObject.class).stream().map(m -> m.getString("text")).toList();
    }
}
