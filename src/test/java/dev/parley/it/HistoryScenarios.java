package dev.parley.it;

import dev.parley.it.support.AppData;
import dev.parley.it.support.PayaraProcess;
import dev.parley.it.support.TestClient;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The durability promises of issue 3, run against one database (the subclasses pick the embedded default
 * or PostgreSQL): an acked message survives {@code kill -9}; a resent ref is stored and seen once; a client
 * that rejoins with {@code since} gets exactly what it missed; direct messages wait for offline users.
 * One Payara Micro process per class (started again once, after the kill).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
abstract class HistoryScenarios {

    static final Duration LONG = Duration.ofSeconds(60);

    PayaraProcess server;

    /** The server, configured for this class's database, not started. */
    abstract PayaraProcess.Builder server();

    /** The room messages stored in {@code room}, counted in the database itself; the server may be down. */
    abstract long storedRows(String room);

    /** Whether {@link #storedRows} can be asked while the server runs (an embedded file is locked by it). */
    abstract boolean rowsReadableWhileRunning();

    @BeforeAll
    void startServer() {
        server = server().build().start();
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void directMessagesToAnOfflineUserArriveAfterWelcomeInOrderOnce() {
        try (TestClient alice = connect("alice1")) {
            visitDefaultRoom("dave1"); // they have met, so alice may write to dave (the direct-message rule)
            for (int i = 1; i <= 3; i++) {
                alice.send(direct("dave1", "dm-" + i, "d-" + i));
                JsonObject ack = awaitAnswer(alice, "d-" + i);
                assertEquals("ack", ack.getString("type"), () -> "expected an ack, got " + ack);
                assertEquals("dave1", ack.getString("to"));
            }
            try (TestClient dave = TestClient.connect(server.chat("name=dave1"), "chat")) {
                assertEquals("welcome", dave.next().getString("type"), "welcome comes first");
                assertEquals(List.of("dm-1", "dm-2", "dm-3"), texts(awaitDirects(dave, 3)));
            }
            try (TestClient dave = connect("dave1")) {
                alice.send(direct("dave1", "dm-4", "d-4"));
                assertEquals("ack", awaitAnswer(alice, "d-4").getString("type"));
                // Had the first three come again, they would arrive before the fourth.
                assertEquals(List.of("dm-4"), texts(awaitDirects(dave, 1)));
            }
        }
    }

    @Test
    @Order(2)
    void aClientResending100RefsHalfAlreadyAckedEndsWithExactly100StoredMessagesEachSeenOnce() {
        String room = "resend";
        try (TestClient bob = connect("bob2"); TestClient carol = connect("carol2"); TestClient alice = connect("alice2")) {
            join(bob, room, null, null);
            join(carol, room, null, null);
            join(alice, room, null, null);
            Map<String, Long> first = sendAndAwaitAcks(alice, room, "r-", 0, 50);

            Map<String, Long> second = sendAndAwaitAcks(alice, room, "r-", 0, 100);
            for (int i = 0; i < 50; i++) {
                assertEquals(first.get("r-" + i), second.get("r-" + i), "a resent ref gets the original seq");
            }
            assertEquals(100, second.values().stream().distinct().count(), "100 distinct seqs");

            // A marker after the resends: everything broadcast for them arrives before it.
            alice.send(post(room, "end", "r-end"));
            for (TestClient receiver : List.of(bob, carol)) {
                List<JsonObject> seen = new ArrayList<>();
                receiver.await(f -> isMessage(f, room) && "end".equals(f.getString("text")), LONG, seen);
                Map<String, Integer> times = new HashMap<>();
                seen.stream().filter(f -> isMessage(f, room)).forEach(f -> times.merge(f.getString("ref"), 1, Integer::sum));
                assertEquals(100, times.size(), "each receiver saw 100 messages");
                times.forEach((ref, n) -> assertEquals(1, n, () -> ref + " seen " + n + " times"));
            }
            List<JsonObject> stored = fullHistory(alice, room);
            assertEquals(101, stored.size(), "100 messages and the marker stored");
            assertEquals(100, stored.stream().filter(m -> m.getString("ref").startsWith("r-") && !"r-end".equals(m.getString("ref")))
                    .map(m -> m.getString("ref")).distinct().count());
        }
        if (rowsReadableWhileRunning()) {
            assertEquals(101, storedRows(room), "rows in the database: 100 and the marker");
        }
    }

    @Test
    @Order(3)
    void aClientThatMissed300MessagesGetsExactlyThoseWhenItRejoinsWithSince() {
        String room = "missed";
        long lastSeen;
        String epoch;
        try (TestClient alice = connect("alice3")) {
            join(alice, room, null, null);
            try (TestClient bob = connect("bob3")) {
                epoch = join(bob, room, null, null).getString("epoch");
                alice.send(post(room, "before", "b-0"));
                lastSeen = bob.await(f -> isMessage(f, room), LONG, null).getJsonNumber("seq").longValue();
            }
            Map<String, Long> acked = sendAndAwaitAcks(alice, room, "p-", 0, 300);
            try (TestClient bob = connect("bob3")) {
                JsonObject joined = join(bob, room, lastSeen, epoch);
                List<JsonObject> history = joined.getJsonArray("history").getValuesAs(JsonObject.class);
                assertFalse(joined.getBoolean("truncated", false));
                assertEquals(IntStream.range(0, 300).mapToObj(i -> "p-" + i).toList(),
                        history.stream().map(m -> m.getString("ref")).toList(), "exactly the 300 missed, oldest first");
                assertEquals(IntStream.range(0, 300).mapToObj(i -> acked.get("p-" + i)).toList(), seqs(history));
            }
        }
    }

    @Test
    @Order(4)
    void everyAcknowledgedMessageSurvivesKill9AndComesBackInOrderOnce() {
        String room = "crash";
        Map<String, Long> acked = new LinkedHashMap<>();
        String epoch;
        try (TestClient alice = connect("alice4")) {
            epoch = join(alice, room, null, null).getString("epoch");
            assertNotNull(epoch);
            visitDefaultRoom("erin4");
            for (int i = 1; i <= 3; i++) {
                alice.send(direct("erin4", "held-" + i, "h-" + i));
                assertEquals("ack", awaitAnswer(alice, "h-" + i).getString("type"));
            }
            for (int i = 0; i < 400; i++) {
                alice.send(post(room, "k-" + i, "k-" + i));
            }
            while (acked.size() < 150) {
                JsonObject f = alice.next(LONG);
                if ("ack".equals(f.getString("type", null))) {
                    acked.put(f.getString("ref"), f.getJsonNumber("seq").longValue());
                }
            }
            server.kill();
        }
        long rows = storedRows(room);
        assertTrue(rows >= acked.size(), () -> "after kill -9 the database holds " + rows + " rows, " + acked.size() + " were acked");

        server.start();
        try (TestClient alice = connect("alice4")) {
            JsonObject joined = join(alice, room, 0L, epoch);
            assertEquals(epoch, joined.getString("epoch"), "same database, same epoch");
            List<JsonObject> history = joined.getJsonArray("history").getValuesAs(JsonObject.class);
            List<Long> seqs = seqs(history);
            for (int i = 1; i < seqs.size(); i++) {
                assertEquals(seqs.get(i - 1) + 1, seqs.get(i), "seqs increase by one, no gaps or repeats");
            }
            List<String> refs = history.stream().map(m -> m.getString("ref")).toList();
            assertEquals(IntStream.range(0, refs.size()).mapToObj(i -> "k-" + i).toList(), refs,
                    "messages in the order sent, each once");
            acked.forEach((ref, seq) -> assertEquals(seq, seqs.get(refs.indexOf(ref)), () -> ref + " kept its seq"));

            // Idempotency outlives the restart: a resent acked ref gets its original ack, and is not stored again.
            alice.send(post(room, "k-0", "k-0"));
            JsonObject again = awaitAnswer(alice, "k-0");
            assertEquals(acked.get("k-0"), again.getJsonNumber("seq").longValue());
            alice.send(post(room, "after", "k-after"));
            long next = awaitAnswer(alice, "k-after").getJsonNumber("seq").longValue();
            assertEquals(seqs.get(seqs.size() - 1) + 1, next, "seq goes on after the restart");
        }
        try (TestClient erin = TestClient.connect(server.chat("name=erin4"), "chat")) {
            assertEquals("welcome", erin.next().getString("type"));
            assertEquals(List.of("held-1", "held-2", "held-3"), texts(awaitDirects(erin, 3)));
        }
    }

    @Test
    @Order(5)
    void applicationDataComesBackExactlyAfterARestartInHistoryRecoveryAndHeldDirectMessages() {
        String room = "payload";
        JsonObject data = AppData.json(AppData.AWKWARD);
        String epoch;
        try (TestClient alice = connect("alice5")) {
            epoch = join(alice, room, null, null).getString("epoch");
            visitDefaultRoom("fay5");
            alice.send("{\"type\":\"message\",\"room\":\"" + room + "\",\"data\":" + AppData.AWKWARD + ",\"ref\":\"p-1\"}");
            assertEquals("ack", awaitAnswer(alice, "p-1").getString("type"));
            alice.send("{\"type\":\"message\",\"room\":\"" + room + "\",\"text\":\"both\",\"data\":{\"n\":[1,[2]]},\"ref\":\"p-2\"}");
            assertEquals("ack", awaitAnswer(alice, "p-2").getString("type"));
            alice.send("{\"type\":\"direct\",\"to\":\"fay5\",\"data\":" + AppData.AWKWARD + ",\"ref\":\"p-3\"}");
            assertEquals("ack", awaitAnswer(alice, "p-3").getString("type"));
        }
        server.kill();
        server.start();
        try (TestClient alice = connect("alice5")) {
            List<JsonObject> recovered = join(alice, room, 0L, epoch).getJsonArray("history").getValuesAs(JsonObject.class);
            assertEquals(data, recovered.get(0).getJsonObject("data"), "recovered with since");
            assertEquals("", recovered.get(0).getString("text"));
            assertEquals(AppData.json("{\"n\":[1,[2]]}"), recovered.get(1).getJsonObject("data"));
            assertEquals("both", recovered.get(1).getString("text"));
            List<JsonObject> paged = fullHistory(alice, room);
            assertEquals(data, paged.get(0).getJsonObject("data"), "paged with history");
        }
        try (TestClient fay = TestClient.connect(server.chat("name=fay5"), "chat")) {
            assertEquals("welcome", fay.next().getString("type"));
            assertEquals(data, awaitDirects(fay, 1).get(0).getJsonObject("data"), "held for the recipient");
        }
    }

    @Test
    @Order(6)
    void directConversationsAndReadStateSurviveARestart() {
        try (TestClient alice = connect("alice6"); TestClient bob1 = connect("bob6"); TestClient bob2 = connect("bob6")) {
            for (int i = 1; i <= 3; i++) {
                alice.send(direct("bob6", "dm-" + i, "c-" + i));
                JsonObject ack = awaitAnswer(alice, "c-" + i);
                assertEquals(i, ack.getInt("seq"), ack::toString);
            }
            bob1.send("{\"type\":\"read\",\"with\":\"alice6\",\"seq\":2,\"ref\":\"r-1\"}");
            assertEquals(2, awaitRead(bob1, "r-1").getInt("seq"));
            assertEquals(2, bob2.await(f -> "read".equals(f.getString("type", null)), LONG, null).getInt("seq"), "the other tab");
            join(bob1, "convo", null, null);
            join(alice, "convo", null, null);
            alice.send(post("convo", "hello", "p-1"));
            assertEquals(1, awaitAnswer(alice, "p-1").getInt("seq"));
            bob1.send("{\"type\":\"read\",\"room\":\"convo\",\"seq\":1,\"ref\":\"r-2\"}");
            assertEquals(1, awaitRead(bob1, "r-2").getInt("seq"));
        }
        server.kill();
        server.start();
        try (TestClient bob = connect("bob6")) {
            JsonObject conversations = bob.pushedConversations();
            JsonObject withAlice = conversations.getJsonArray("direct").getValuesAs(JsonObject.class).stream()
                    .filter(c -> "alice6".equals(c.getString("with"))).findFirst().orElseThrow();
            assertEquals(List.of(3, 2), List.of(withAlice.getInt("seq"), withAlice.getInt("read")), conversations::toString);
            JsonObject convo = conversations.getJsonArray("rooms").getValuesAs(JsonObject.class).stream()
                    .filter(c -> "convo".equals(c.getString("room"))).findFirst().orElseThrow();
            assertEquals(List.of(1, 1), List.of(convo.getInt("seq"), convo.getInt("read")), conversations::toString);

            bob.send("{\"type\":\"history\",\"with\":\"alice6\",\"since\":0,\"ref\":\"h\"}");
            List<JsonObject> recovered = bob.await(f -> "history".equals(f.getString("type", null)), LONG, null)
                    .getJsonArray("messages").getValuesAs(JsonObject.class);
            assertEquals(List.of("dm-1", "dm-2", "dm-3"), texts(recovered));
            assertEquals(List.of(1L, 2L, 3L), seqs(recovered));
            bob.send("{\"type\":\"read\",\"with\":\"alice6\",\"seq\":1,\"ref\":\"r-3\"}");
            assertEquals(2, awaitRead(bob, "r-3").getInt("seq"), "never backwards, also after a restart");
        }
        try (TestClient alice = connect("alice6")) {
            alice.send(direct("bob6", "dm-4", "c-4"));
            assertEquals(4, awaitAnswer(alice, "c-4").getInt("seq"), "the conversation's seq goes on after the restart");
        }
    }

    // ---- helpers ----

    static JsonObject awaitRead(TestClient c, String ref) {
        JsonObject f = c.await(x -> ref.equals(x.getString("ref", null)), LONG, null);
        assertEquals("read", f.getString("type"), f::toString);
        return f;
    }

    /** Connects as {@code user} (joining the default room, where the others are) and goes offline again. */
    void visitDefaultRoom(String user) {
        try (TestClient visitor = connect(user)) {
            visitor.expect("joined");
        }
    }

    TestClient connect(String user) {
        return TestClient.welcomed(server.chat("name=" + user));
    }

    static JsonObject join(TestClient c, String room, Long since, String epoch) {
        StringBuilder frame = new StringBuilder("{\"type\":\"join\",\"room\":\"").append(room).append('"');
        if (since != null) {
            frame.append(",\"since\":").append(since);
        }
        if (epoch != null) {
            frame.append(",\"epoch\":\"").append(epoch).append('"');
        }
        c.send(frame.append('}').toString());
        return c.await(f -> "joined".equals(f.getString("type", null)) && room.equals(f.getString("room", null)), LONG, null);
    }

    static String post(String room, String text, String ref) {
        return "{\"type\":\"message\",\"room\":\"" + room + "\",\"text\":\"" + text + "\",\"ref\":\"" + ref + "\"}";
    }

    static String direct(String to, String text, String ref) {
        return "{\"type\":\"direct\",\"to\":\"" + to + "\",\"text\":\"" + text + "\",\"ref\":\"" + ref + "\"}";
    }

    /** The ack or error answering {@code ref}; other frames are skipped. */
    static JsonObject awaitAnswer(TestClient c, String ref) {
        return c.await(f -> ("ack".equals(f.getString("type", null)) || "error".equals(f.getString("type", null)))
                && ref.equals(f.getString("ref", null)), LONG, null);
    }

    /** Sends {@code prefix+from .. prefix+(to-1)} to the room and returns each ref's acked seq. */
    static Map<String, Long> sendAndAwaitAcks(TestClient c, String room, String prefix, int from, int to) {
        for (int i = from; i < to; i++) {
            c.send(post(room, prefix + i, prefix + i));
        }
        Map<String, Long> acks = new LinkedHashMap<>();
        while (acks.size() < to - from) {
            JsonObject f = c.next(LONG);
            String type = f.getString("type", null);
            if ("error".equals(type)) {
                throw new AssertionError("send refused: " + f);
            }
            if ("ack".equals(type) && f.getString("ref", "").startsWith(prefix)) {
                acks.put(f.getString("ref"), f.getJsonNumber("seq").longValue());
            }
        }
        return acks;
    }

    static List<JsonObject> awaitDirects(TestClient c, int count) {
        List<JsonObject> directs = new ArrayList<>();
        while (directs.size() < count) {
            directs.add(c.await(f -> "direct".equals(f.getString("type", null)), LONG, null));
        }
        return directs;
    }

    /** Every stored message of the room, oldest first, paging back with history queries. */
    static List<JsonObject> fullHistory(TestClient c, String room) {
        List<JsonObject> all = new ArrayList<>();
        Long before = null;
        while (true) {
            String ref = "h-" + (before == null ? "top" : before);
            c.send("{\"type\":\"history\",\"room\":\"" + room + "\",\"limit\":100"
                    + (before == null ? "" : ",\"before\":" + before) + ",\"ref\":\"" + ref + "\"}");
            JsonObject page = c.await(f -> "history".equals(f.getString("type", null)) && ref.equals(f.getString("ref", null)), LONG, null);
            List<JsonObject> messages = page.getJsonArray("messages").getValuesAs(JsonObject.class);
            all.addAll(0, messages);
            if (messages.size() < 100) {
                return all;
            }
            before = messages.get(0).getJsonNumber("seq").longValue();
        }
    }

    static boolean isMessage(JsonObject f, String room) {
        return "message".equals(f.getString("type", null)) && room.equals(f.getString("room", null));
    }

    static List<String> texts(List<JsonObject> frames) {
        return frames.stream().map(f -> f.getString("text")).toList();
    }

    static List<Long> seqs(List<JsonObject> messages) {
        return messages.stream().map(m -> m.get("seq")).map(v -> ((jakarta.json.JsonNumber) v).longValue()).toList();
    }
}
