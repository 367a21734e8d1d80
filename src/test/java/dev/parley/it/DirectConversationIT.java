package dev.parley.it;

import dev.parley.it.support.Deployments;
import dev.parley.it.support.TestClient;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Conversations that follow the user (issue 14), with real WebSocket clients on one deployed server with the
 * default settings: direct conversations with their history and recovery with {@code since}, the
 * {@code conversations} frame on connect and on request, and read state shared by a user's connections.
 * Each test uses users and rooms of its own.
 */
@ExtendWith(ArquillianExtension.class)
@Timeout(120)
class DirectConversationIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley();
    }

    @ArquillianResource
    URL base;

    /** Connects as {@code name}, takes the welcome and the lobby's joined, and ignores presence from then on. */
    private TestClient connect(String name) {
        TestClient c = TestClient.named(base, name);
        c.expectJoined("lobby");
        return c.ignore(f -> "presence".equals(f.getString("type", null)));
    }

    /** Round-trips a ping: every frame queued for {@code c} before it has then been received. */
    private static void barrier(TestClient c) {
        c.send("{\"type\":\"ping\",\"ref\":\"barrier\"}");
        assertEquals("barrier", c.await(f -> "pong".equals(f.getString("type", null)), WAIT, null).getString("ref"));
    }

    private static JsonObject answer(TestClient c, String ref) {
        return c.await(f -> ref.equals(f.getString("ref", null)) && !"direct".equals(f.getString("type", null)), WAIT, null);
    }

    /** Sends a direct message and returns its ack. */
    private static JsonObject direct(TestClient from, String to, String text, String ref) {
        from.send("{\"type\":\"direct\",\"to\":\"" + to + "\",\"text\":\"" + text + "\",\"ref\":\"" + ref + "\"}");
        JsonObject ack = answer(from, ref);
        assertEquals("ack", ack.getString("type"), ack::toString);
        return ack;
    }

    private static JsonObject history(TestClient c, String query, String ref) {
        c.send("{\"type\":\"history\"," + query + ",\"ref\":\"" + ref + "\"}");
        JsonObject h = answer(c, ref);
        assertEquals("history", h.getString("type"), h::toString);
        return h;
    }

    private static List<JsonObject> messages(JsonObject history) {
        return history.getJsonArray("messages").getValuesAs(JsonObject.class);
    }

    private static List<Long> seqs(List<JsonObject> frames) {
        return frames.stream().map(f -> f.getJsonNumber("seq").longValue()).toList();
    }

    private static List<Long> range(long fromInclusive, long toInclusive) {
        return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
    }

    /** The entry of {@code conversations} for {@code key} ("rooms"/"direct") named {@code name}, or null. */
    private static JsonObject entry(JsonObject conversations, String list, String name) {
        String field = "rooms".equals(list) ? "room" : "with";
        return conversations.getJsonArray(list).getValuesAs(JsonObject.class).stream()
                .filter(e -> name.equals(e.getString(field))).findFirst().orElse(null);
    }

    @Test
    void aReloadGetsEveryDirectConversationInConversationsAndItsHistoryBack() {
        try (TestClient alice = connect("h-alice"); TestClient bob = connect("h-bob")) {
            for (int i = 1; i <= 3; i++) {
                assertEquals(i, direct(alice, "h-bob", "dm-" + i, "d" + i).getInt("seq"), "the ack carries the seq");
                assertEquals(i, bob.await("direct").getInt("seq"), "the message carries it too");
            }
        }
        try (TestClient bob = TestClient.named(base, "h-bob")) { // the page reloaded
            JsonObject conversations = bob.pushedConversations();
            JsonObject withAlice = entry(conversations, "direct", "h-alice");
            assertEquals(3, withAlice.getInt("seq"), conversations::toString);
            assertEquals(0, withAlice.getInt("read"), "nothing read yet: 3 unread");
            assertFalse(withAlice.getBoolean("online"), "h-alice has gone");
            assertNotNull(entry(conversations, "rooms", "lobby"), conversations::toString);
            List<JsonObject> page = messages(history(bob, "\"with\":\"h-alice\"", "h1"));
            assertEquals(List.of("dm-1", "dm-2", "dm-3"), page.stream().map(m -> m.getString("text")).toList());
            assertEquals(range(1, 3), seqs(page));
            assertEquals("h-alice", page.get(0).getString("from"));
            assertEquals(List.of("dm-2"), messages(history(bob, "\"with\":\"h-alice\",\"before\":3,\"limit\":1", "h2"))
                    .stream().map(m -> m.getString("text")).toList(), "paged back like a room");
            assertEquals(List.of(), messages(history(bob, "\"with\":\"h-nobody\"", "h3")), "no conversation, no messages");
        }
    }

    @Test
    void aReadOnOneTabReachesTheUsersOtherTabsOnlyAndComesBackAfterAReload() {
        try (TestClient alice = connect("r-alice"); TestClient bob1 = connect("r-bob"); TestClient bob2 = connect("r-bob");
             TestClient carol = connect("r-carol")) {
            for (int i = 1; i <= 3; i++) {
                direct(alice, "r-bob", "dm-" + i, "d" + i);
            }
            bob1.send("{\"type\":\"read\",\"with\":\"r-alice\",\"seq\":2,\"ref\":\"rd\"}");
            assertEquals("{\"type\":\"read\",\"with\":\"r-alice\",\"seq\":2,\"ref\":\"rd\"}", answer(bob1, "rd").toString());
            assertEquals("{\"type\":\"read\",\"with\":\"r-alice\",\"seq\":2}", bob2.await("read").toString(), "the other tab");

            // A room: carol writes twice; bob reads on one tab, the other follows.
            bob1.send("{\"type\":\"join\",\"room\":\"r-room\"}");
            bob1.await("joined");
            bob2.send("{\"type\":\"join\",\"room\":\"r-room\"}");
            bob2.await("joined");
            carol.send("{\"type\":\"join\",\"room\":\"r-room\"}");
            carol.await("joined");
            for (int i = 1; i <= 2; i++) {
                carol.send("{\"type\":\"message\",\"room\":\"r-room\",\"text\":\"m" + i + "\",\"ref\":\"m" + i + "\"}");
                answer(carol, "m" + i);
            }
            bob2.send("{\"type\":\"read\",\"room\":\"r-room\",\"seq\":2}");
            assertEquals("{\"type\":\"read\",\"room\":\"r-room\",\"seq\":2}", bob1.await("read").toString());
            assertEquals("{\"type\":\"read\",\"room\":\"r-room\",\"seq\":2}", bob2.await("read").toString());
            barrier(alice);
            barrier(carol);
            alice.expectNothing(Duration.ofMillis(300)); // nobody else hears of bob's reads
            carol.expectNothing(Duration.ofMillis(1));
        }
        try (TestClient bob = TestClient.named(base, "r-bob")) {
            JsonObject conversations = bob.pushedConversations();
            assertEquals(2, entry(conversations, "direct", "r-alice").getInt("read"), conversations::toString);
            assertEquals(3, entry(conversations, "direct", "r-alice").getInt("seq"));
            JsonObject room = entry(conversations, "rooms", "r-room");
            assertEquals(2, room.getInt("seq"), conversations::toString);
            assertEquals(2, room.getInt("read"));
            bob.send("{\"type\":\"conversations\",\"ref\":\"c\"}");
            JsonObject asked = answer(bob, "c");
            assertEquals(entry(conversations, "direct", "r-alice"), entry(asked, "direct", "r-alice"), "asked: the same");
        }
    }

    @Test
    void readNeverMovesBackAndBadReadsAreRefusedWithoutClosingTheConnection() {
        try (TestClient alice = connect("b-alice"); TestClient bob1 = connect("b-bob"); TestClient bob2 = connect("b-bob")) {
            direct(alice, "b-bob", "one", "d1");
            direct(alice, "b-bob", "two", "d2");
            bob1.send("{\"type\":\"read\",\"with\":\"b-alice\",\"seq\":2,\"ref\":\"r1\"}");
            assertEquals(2, answer(bob1, "r1").getInt("seq"));
            assertEquals(2, bob2.await("read").getInt("seq"));

            bob1.send("{\"type\":\"read\",\"with\":\"b-alice\",\"seq\":1,\"ref\":\"r2\"}");
            JsonObject back = answer(bob1, "r2");
            assertEquals("read", back.getString("type"));
            assertEquals(2, back.getInt("seq"), "the stored seq, which did not move back");

            String[][] refused = {
                    {"{\"type\":\"read\",\"with\":\"b-alice\",\"seq\":3,\"ref\":\"e1\"}", "invalid",
                            "seq 3 is beyond the newest message of the conversation with b-alice (2)"},
                    {"{\"type\":\"read\",\"with\":\"b-nobody\",\"seq\":1,\"ref\":\"e2\"}", "invalid",
                            "seq 1 is beyond the newest message of the conversation with b-nobody (0)"},
                    {"{\"type\":\"read\",\"room\":\"b-elsewhere\",\"seq\":1,\"ref\":\"e3\"}", "not_member", "not a member of room b-elsewhere"},
                    {"{\"type\":\"read\",\"room\":\"lobby\",\"ref\":\"e4\"}", "invalid", "missing field: seq"},
                    {"{\"type\":\"read\",\"room\":\"lobby\",\"with\":\"b-alice\",\"seq\":1,\"ref\":\"e5\"}", "invalid",
                            "give room or with (a user), exactly one of them"},
                    {"{\"type\":\"read\",\"with\":\"b alice\",\"seq\":1,\"ref\":\"e6\"}", "invalid",
                            "field with must be 1-32 characters of A-Za-z0-9_.-"},
                    {"{\"type\":\"history\",\"with\":\"b-alice\",\"since\":1,\"before\":2,\"ref\":\"e7\"}", "invalid",
                            "give before (page back) or since (recovery), not both"},
            };
            for (String[] r : refused) {
                bob1.send(r[0]);
                JsonObject error = bob1.expectError(r[1], r[0].substring(r[0].indexOf("\"ref\":\"") + 7, r[0].lastIndexOf('"')));
                assertEquals(r[2], error.getString("message"));
            }
            barrier(bob1); // still open
            bob2.expectNothing(Duration.ofMillis(300)); // only a read that moved reaches the other tab
        }
    }

    @Test
    void directMessagesMissedWhileAwayAreRecoveredWithSinceExactlyOnceInOrder() {
        long lastSeen;
        try (TestClient alice = connect("s-alice")) {
            try (TestClient bob = connect("s-bob")) {
                for (int i = 1; i <= 5; i++) {
                    direct(alice, "s-bob", "dm-" + i, "a" + i);
                }
                List<JsonObject> seen = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    seen.add(bob.await("direct"));
                }
                lastSeen = seqs(seen).get(4);
                assertEquals(5, lastSeen);
            }
            for (int i = 6; i <= 40; i++) {
                direct(alice, "s-bob", "dm-" + i, "a" + i);
            }
            try (TestClient bob = TestClient.named(base, "s-bob")) {
                JsonObject recovered = history(bob, "\"with\":\"s-alice\",\"since\":" + lastSeen, "since");
                assertEquals(range(6, 40), seqs(messages(recovered)), "exactly the 35 missed, oldest first");
                assertFalse(recovered.getBoolean("truncated", false));
                assertEquals("dm-40", messages(recovered).get(34).getString("text"));
                assertEquals(40, entry(bob.pushedConversations(), "direct", "s-alice").getInt("seq"));
                // Asked again from the newest: nothing more.
                assertEquals(List.of(), messages(history(bob, "\"with\":\"s-alice\",\"since\":40", "since2")));
            }
        }
    }

    @Test
    void aDirectMessageSentWhileTheRecipientsConnectionClosesIsRecoveredOnReconnectWithSince() {
        try (TestClient alice = connect("c-alice")) {
            TestClient bob = connect("c-bob");
            direct(alice, "c-bob", "before", "b0");
            long lastSeen = bob.await("direct").getJsonNumber("seq").longValue();
            // bob goes while alice writes: the message may reach the closing connection (and be lost with it) or be
            // held for him, depending on who is first; recovery with since has it either way.
            alice.send("{\"type\":\"direct\",\"to\":\"c-bob\",\"text\":\"while closing\",\"ref\":\"b1\"}");
            bob.close();
            assertEquals("ack", answer(alice, "b1").getString("type"));
            try (TestClient again = TestClient.named(base, "c-bob")) {
                List<JsonObject> recovered = messages(history(again, "\"with\":\"c-alice\",\"since\":" + lastSeen, "rec"));
                assertEquals(List.of("while closing"), recovered.stream().map(m -> m.getString("text")).toList());
                assertEquals(List.of(lastSeen + 1), seqs(recovered));
            }
        }
    }

    @Test
    void roomsJoinedAreRememberedForTheUserUntilLeft() {
        try (TestClient bob = connect("m-bob")) {
            bob.send("{\"type\":\"join\",\"room\":\"m-room\"}");
            bob.await("joined");
        }
        TreeMap<String, Integer> rooms = new TreeMap<>();
        try (TestClient bob = TestClient.named(base, "m-bob")) { // another device: it did not join m-room
            JsonObject conversations = bob.pushedConversations();
            conversations.getJsonArray("rooms").getValuesAs(JsonObject.class).forEach(r -> rooms.put(r.getString("room"), r.getInt("seq")));
            assertEquals(List.of("lobby", "m-room"), List.copyOf(rooms.keySet()), conversations::toString);
            bob.send("{\"type\":\"join\",\"room\":\"m-room\"}");
            bob.await("joined");
            bob.send("{\"type\":\"leave\",\"room\":\"m-room\",\"ref\":\"l\"}");
            answer(bob, "l");
            bob.send("{\"type\":\"conversations\",\"ref\":\"c\"}");
            JsonObject after = answer(bob, "c");
            assertEquals(null, entry(after, "rooms", "m-room"), "left on purpose: forgotten");
        }
    }
}
