package dev.parley.it;

import dev.parley.it.support.ApiClient;
import dev.parley.it.support.PayaraProcess;
import dev.parley.it.support.TestClient;
import dev.parley.testing.Needs;
import dev.parley.testing.Postgres;
import dev.parley.testing.Prerequisite;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three Payara Micro nodes on loopback, clustered with Payara Micro's own flags (a cluster name of this run's own and
 * TCP/IP discovery on ports of its own, so no other build's nodes on the machine can join), the same WAR, one
 * PostgreSQL database: Parley behaves as one server. Clients on different nodes chat in one room; 1,000 messages sent
 * from all three nodes reach receivers on all three in one order, each once; a user with tabs on two nodes joins and
 * leaves once; direct messages cross nodes, live and held; after {@code kill -9} of one node its clients reconnect to
 * the survivors and miss nothing, every acked message is stored once, and the others see the leave within 30 s (and
 * its users' states are gone). A member's state, signals, the API's member lists and the per-room member limit are the
 * cluster's, not a node's.
 */
@Needs(Prerequisite.POSTGRES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(900)
class ClusterIT {

    static final Duration LONG = Duration.ofSeconds(60);
    /** The documented bound within which the survivors see a dead node's users leave. */
    static final Duration LEAVE_BOUND = Duration.ofSeconds(30);
    /** Within this a change on one node is seen on the others (a grid write and a topic hop; the machine is loaded). */
    static final Duration CROSS = Duration.ofSeconds(20);
    static final String API_KEY = "cluster-it-api-key-0123456789";
    /** {@code parley.limits.members-per-room} on every node: the thousand-message room holds 6, so 8 leaves room. */
    static final int MEMBERS_PER_ROOM = 8;

    private final Postgres.Database db = Postgres.main().createDatabase("parley_it_cluster");
    private final List<PayaraProcess> nodes = new ArrayList<>();

    @BeforeAll
    void startThreeNodes() {
        String cluster = "parley-it-" + UUID.randomUUID().toString().substring(0, 8);
        List<Integer> hazelcastPorts = List.of(PayaraProcess.freePort(), PayaraProcess.freePort(), PayaraProcess.freePort());
        for (int i = 0; i < 3; i++) {
            nodes.add(PayaraProcess.builder("cluster-node" + (i + 1))
                    .env("PARLEY_DB_URL", db.url())
                    .env("PARLEY_DB_USER", db.user())
                    .env("PARLEY_DB_PASSWORD", "unused-with-trust")
                    .property("parley.default-room", "none")
                    .property("parley.rate.messages-per-second", "0")
                    .property("parley.api.keys", API_KEY)
                    .property("parley.limits.members-per-room", String.valueOf(MEMBERS_PER_ROOM))
                    .cluster(cluster, hazelcastPorts, hazelcastPorts.get(i))
                    .startupTimeout(Duration.ofSeconds(600))
                    .build());
        }
        nodes.get(0).start();
        // The others join the first (started one after the other they would wait twice as long on two cores).
        CompletableFuture.allOf(CompletableFuture.runAsync(nodes.get(1)::start), CompletableFuture.runAsync(nodes.get(2)::start)).join();
        for (PayaraProcess node : nodes) {
            node.awaitLog(line -> line.contains("Parley: node ") && line.contains("of a cluster of"), LONG);
        }
        nodes.get(0).awaitLog(line -> line.contains("the cluster has 3 nodes"), LONG);
    }

    @AfterAll
    void stopNodes() {
        nodes.forEach(PayaraProcess::close);
        db.close();
    }

    @Test
    @Order(1)
    void clientsOnDifferentNodesChatInOneRoom() {
        try (TestClient alice = inRoom(0, "alice", "chat-1"); TestClient bob = inRoom(1, "bob", "chat-1");
             TestClient carol = inRoom(2, "carol", "chat-1")) {
            // As on one node, the sender gets its message before the ack (its node delivers the seq, then acks).
            alice.send(HistoryScenarios.post("chat-1", "hello from node 1", "a-1"));
            long seq = awaitMessage(alice, "chat-1", "hello from node 1", "alice").getJsonNumber("seq").longValue();
            assertEquals(seq, ackedSeq(alice, "a-1"), "the ack names the seq the message came with");
            for (TestClient c : List.of(bob, carol)) {
                JsonObject m = awaitMessage(c, "chat-1", "hello from node 1", c == bob ? "bob" : "carol");
                assertEquals(seq, m.getJsonNumber("seq").longValue(), m::toString);
                assertEquals("alice", m.getString("from"));
            }
            carol.send(HistoryScenarios.post("chat-1", "and from node 3", "c-1"));
            assertEquals(seq + 1, awaitMessage(carol, "chat-1", "and from node 3", "carol").getJsonNumber("seq").longValue(),
                    "the room's next seq, whichever node sent it");
            assertEquals(seq + 1, ackedSeq(carol, "c-1"));
            for (TestClient c : List.of(alice, bob)) {
                assertEquals(seq + 1, awaitMessage(c, "chat-1", "and from node 3", c == alice ? "alice" : "bob")
                        .getJsonNumber("seq").longValue());
            }
        }
    }

    @Test
    @Order(2)
    void aThousandMessagesFromThreeNodesReachEveryNodeInOneOrderEachOnce() {
        String room = "order-1";
        List<TestClient> receivers = new ArrayList<>();
        List<TestClient> senders = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                receivers.add(inRoom(i, "reader" + i, room));
            }
            for (int i = 0; i < 3; i++) {
                senders.add(inRoom(i, "writer" + i, room));
            }
            int total = 1000;
            List<CompletableFuture<Map<String, Long>>> acks = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                TestClient s = senders.get(i);
                int from = i * total / 3;
                int to = (i + 1) * total / 3;
                acks.add(CompletableFuture.supplyAsync(() -> HistoryScenarios.sendAndAwaitAcks(s, room, "m-", from, to)));
            }
            Set<Long> ackedSeqs = new HashSet<>();
            acks.forEach(f -> ackedSeqs.addAll(f.join().values()));
            assertEquals(total, ackedSeqs.size(), "every message acked with a seq of its own");

            List<List<String>> seen = new ArrayList<>();
            for (TestClient r : receivers) {
                List<String> order = new ArrayList<>();
                long previous = -1;
                while (order.size() < total) {
                    JsonObject m = r.await(f -> HistoryScenarios.isMessage(f, room), LONG, null);
                    long seq = m.getJsonNumber("seq").longValue();
                    if (previous >= 0) {
                        assertEquals(previous + 1, seq, "no gap, no duplicate, no reordering");
                    }
                    previous = seq;
                    order.add(seq + ":" + m.getString("text"));
                }
                seen.add(order);
            }
            assertEquals(seen.get(0), seen.get(1), "node 2's members see node 1's order");
            assertEquals(seen.get(0), seen.get(2), "node 3's members see node 1's order");
            Set<String> texts = new HashSet<>();
            seen.get(0).forEach(s -> texts.add(s.substring(s.indexOf(':') + 1)));
            assertEquals(IntStream.range(0, total).mapToObj(i -> "m-" + i).collect(java.util.stream.Collectors.toSet()), texts);
        } finally {
            receivers.forEach(TestClient::close);
            senders.forEach(TestClient::close);
        }
    }

    @Test
    @Order(3)
    void aUserWithTabsOnTwoNodesJoinsOnceAndLeavesWithTheLastTab() {
        String room = "presence-1";
        try (TestClient watcher = inRoom(2, "watcher", room)) {
            TestClient tab1 = inRoom(0, "dave", room);
            JsonObject join = watcher.await(presence("dave", "join"), LONG, null);
            assertEquals(room, join.getString("room"));

            TestClient tab2 = TestClient.welcomed(chat(1, "dave"));
            JsonObject joined = HistoryScenarios.join(tab2, room, null, null);
            assertEquals(List.of("dave", "watcher"), joined.getJsonArray("members").getValuesAs(jakarta.json.JsonString.class)
                    .stream().map(jakarta.json.JsonString::getString).toList(), "members counted once across nodes");
            expectNoPresenceOf(watcher, "dave", Duration.ofSeconds(3));

            tab1.close();
            expectNoPresenceOf(watcher, "dave", Duration.ofSeconds(3));

            tab2.close();
            watcher.await(presence("dave", "leave"), LONG, null);
        }
    }

    @Test
    @Order(4)
    void directMessagesCrossNodesLiveAndHeld() {
        try (TestClient erin = inRoom(0, "erin", "dm-1"); TestClient frank = inRoom(1, "frank", "dm-1")) {
            erin.send(HistoryScenarios.direct("frank", "psst", "d-1"));
            JsonObject ack = HistoryScenarios.awaitAnswer(erin, "d-1");
            assertEquals("ack", ack.getString("type"), ack::toString);
            JsonObject dm = frank.await(f -> "direct".equals(f.getString("type", null)), LONG, null);
            assertEquals("psst", dm.getString("text"));
            assertEquals("erin", dm.getString("from"));

            try (TestClient gina = inRoom(2, "gina", "dm-1")) {
                erin.await(presence("gina", "join"), LONG, null);
            }
            erin.await(presence("gina", "leave"), LONG, null);
            erin.send(HistoryScenarios.direct("gina", "while you were out", "d-2"));
            JsonObject held = HistoryScenarios.awaitAnswer(erin, "d-2");
            assertEquals("ack", held.getString("type"), held::toString);

            try (TestClient gina = TestClient.connect(chat(1, "gina"), "chat")) {
                assertEquals("welcome", gina.next().getString("type"), "welcome comes first");
                JsonObject late = gina.await(f -> "direct".equals(f.getString("type", null)), LONG, null);
                assertEquals("while you were out", late.getString("text"));
            }
        }
    }

    @Test
    @Order(5)
    void aStateSetOnOneNodeReachesMembersOnOthersAndLaterJoinersUntilTheUserLeaves() {
        String room = "state-1";
        try (TestClient holly = inRoom(0, "holly", room); TestClient ivan = inRoom(1, "ivan", room);
             TestClient differ = TestClient.welcomed(nodes.get(1).chat("name=jack&features=presence-diff"))) {
            HistoryScenarios.join(differ, room, null, null);
            holly.send("{\"type\":\"state\",\"room\":\"" + room + "\",\"data\":{\"colour\":\"#e33\"}}");

            JsonObject update = ivan.await(presence("holly", "update"), CROSS, null);
            assertEquals("#e33", update.getJsonObject("data").getString("colour"), update::toString);
            JsonObject diff = differ.await(f -> "presence_diff".equals(f.getString("type", null))
                    && f.containsKey("state") && f.getJsonObject("state").containsKey("holly"), CROSS, null);
            assertEquals("#e33", diff.getJsonObject("state").getJsonObject("holly").getString("colour"), diff::toString);

            try (TestClient kate = TestClient.welcomed(chat(2, "kate"))) {
                JsonObject joined = HistoryScenarios.join(kate, room, null, null);
                assertEquals(List.of("holly", "ivan", "jack", "kate"), strings(joined, "members"));
                assertTrue(joined.containsKey("state"), joined::toString);
                assertEquals("#e33", joined.getJsonObject("state").getJsonObject("holly").getString("colour"), joined::toString);
            }

            holly.close();
            ivan.await(presence("holly", "leave"), CROSS, null);
            try (TestClient luke = TestClient.welcomed(chat(2, "luke"))) {
                JsonObject joined = HistoryScenarios.join(luke, room, null, null);
                assertFalse(strings(joined, "members").contains("holly"), joined::toString);
                assertFalse(joined.containsKey("state") && joined.getJsonObject("state").containsKey("holly"),
                        () -> "the state went with the user's last connection: " + joined);
            }
        }
    }

    @Test
    @Order(6)
    void aSignalFromOneNodeReachesMembersOnOthersButNotTheSendersOwnTabs() {
        String room = "signal-1";
        try (TestClient leo = inRoom(0, "leo", room); TestClient leoTab = inRoom(1, "leo", room);
             TestClient mia = inRoom(1, "mia", room); TestClient ned = inRoom(2, "ned", room)) {
            leo.send("{\"type\":\"signal\",\"room\":\"" + room + "\",\"data\":{\"x\":0.42}}");
            for (TestClient c : List.of(mia, ned)) {
                JsonObject s = c.await(f -> "signal".equals(f.getString("type", null)), CROSS, null);
                assertEquals("leo", s.getString("from"), s::toString);
                assertEquals(room, s.getString("room"), s::toString);
                assertEquals("0.42", s.getJsonObject("data").getJsonNumber("x").toString(), s::toString);
            }
            // The receivers on both other nodes have it: the sender's own tabs (here and there) would have it by now.
            expectNoFrame(leoTab, "signal", Duration.ofSeconds(2));
            expectNoFrame(leo, "signal", Duration.ofMillis(200));
        }
    }

    @Test
    @Order(7)
    void theApiOfEveryNodeListsTheMembersOfEveryNodeOnce() {
        String room = "api-1";
        try (TestClient watcher = inRoom(1, "olga", room); TestClient nina = inRoom(0, "nina", room)) {
            watcher.await(presence("nina", "join"), CROSS, null);
            try (TestClient ninaTab = inRoom(2, "nina", room)) {
                ApiClient api = ApiClient.withKey(url(1), API_KEY);
                HttpResponse<String> members = api.get("rooms/" + room + "/members");
                assertEquals(200, members.statusCode(), members::body);
                assertEquals(List.of("nina", "olga"), strings(ApiClient.json(members), "members"), members::body);

                HttpResponse<String> rooms = api.get("rooms");
                assertEquals(200, rooms.statusCode(), rooms::body);
                JsonObject listed = ApiClient.json(rooms).getJsonArray("rooms").getValuesAs(JsonObject.class).stream()
                        .filter(r -> room.equals(r.getString("name"))).findFirst()
                        .orElseThrow(() -> new AssertionError("no " + room + " in " + rooms.body()));
                assertEquals(2, listed.getInt("members"), rooms::body);

                HttpResponse<String> elsewhere = ApiClient.withKey(url(2), API_KEY).get("rooms/" + room + "/members");
                assertEquals(List.of("nina", "olga"), strings(ApiClient.json(elsewhere), "members"), elsewhere::body);
            }
        }
    }

    @Test
    @Order(8)
    void theMemberLimitCountsTheUsersOfEveryNode() {
        String room = "full-1";
        List<TestClient> members = new ArrayList<>();
        try {
            TestClient first = inRoom(0, "full0", room);
            members.add(first);
            for (int i = 1; i < MEMBERS_PER_ROOM; i++) {
                members.add(inRoom(i < MEMBERS_PER_ROOM / 2 ? 0 : 1, "full" + i, room));
            }
            for (int i = 1; i < MEMBERS_PER_ROOM; i++) {
                first.await(presence("full" + i, "join"), CROSS, null); // the grid has every member now
            }
            try (TestClient over = TestClient.welcomed(chat(2, "over"))) {
                over.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"ref\":\"j-over\"}");
                JsonObject answer = over.await(f -> "j-over".equals(f.getString("ref", null)), CROSS, null);
                assertEquals("error", answer.getString("type"), answer::toString);
                assertEquals("room_full", answer.getString("code"), answer::toString);
            }
            try (TestClient anotherTab = TestClient.welcomed(chat(2, "full0"))) {
                JsonObject joined = HistoryScenarios.join(anotherTab, room, null, null);
                assertEquals(MEMBERS_PER_ROOM, strings(joined, "members").size(), joined::toString);
            }
        } finally {
            members.forEach(TestClient::close);
        }
    }

    @Test
    @Order(20)
    void afterKill9OfOneNodeItsClientsMissNothingAndTheOthersSeeThemLeave() {
        List<String> rooms = IntStream.range(0, 6).mapToObj(i -> "k9-" + i).toList();
        TestClient[] clients = new TestClient[3];
        try {
            for (int i = 0; i < 3; i++) {
                clients[i] = TestClient.welcomed(chat(i, "k9user" + i));
                for (String room : rooms) {
                    HistoryScenarios.join(clients[i], room, null, null);
                }
            }
            Map<String, Long> acked = new LinkedHashMap<>();
            for (int i = 0; i < 3; i++) {
                for (String room : rooms) {
                    acked.putAll(HistoryScenarios.sendAndAwaitAcks(clients[i], room, "before-" + i + "-" + room + "-", 0, 5));
                }
            }
            // Node 3's client sends more and the node dies before it can be sure of their acks.
            List<String> unsure = new ArrayList<>();
            for (String room : rooms) {
                for (int n = 0; n < 3; n++) {
                    String ref = "unsure-" + room + "-" + n;
                    clients[2].send(HistoryScenarios.post(room, ref, ref));
                    unsure.add(room + "|" + ref);
                }
            }
            // Its user has a state in the first room, which must go with the node.
            clients[2].send("{\"type\":\"state\",\"room\":\"" + rooms.get(0) + "\",\"data\":{\"status\":\"doomed\"}}");
            clients[0].await(presence("k9user2", "update"), CROSS, null);
            long killedAt = System.nanoTime();
            nodes.get(2).kill();

            for (int i = 0; i < 2; i++) {
                // The dead node's user leaves every room it was in (the survivors remove its entries room by room).
                Set<String> left = new HashSet<>();
                while (left.size() < rooms.size()) {
                    Duration remaining = LEAVE_BOUND.minus(Duration.ofNanos(System.nanoTime() - killedAt));
                    assertTrue(!remaining.isNegative(), "k9user2 left only " + left + " within " + LEAVE_BOUND);
                    left.add(clients[i].await(presence("k9user2", "leave"), remaining, null).getString("room"));
                }
                Duration leaveAfter = Duration.ofNanos(System.nanoTime() - killedAt);
                assertTrue(leaveAfter.compareTo(LEAVE_BOUND) <= 0, "leave after " + leaveAfter);
                System.out.println("ClusterIT: survivor " + (i + 1) + " saw the dead node's user leave all " + rooms.size()
                        + " rooms after " + leaveAfter.toMillis() + " ms");
            }
            try (TestClient late = TestClient.welcomed(chat(1, "k9late"))) {
                JsonObject joined = HistoryScenarios.join(late, rooms.get(0), null, null);
                assertFalse(joined.containsKey("state") && joined.getJsonObject("state").containsKey("k9user2"),
                        () -> "the dead node's user's state went with it: " + joined);
            }
            // The survivors chat on, in every room, while the dead node's rooms move to them.
            for (int i = 0; i < 2; i++) {
                for (String room : rooms) {
                    acked.putAll(HistoryScenarios.sendAndAwaitAcks(clients[i], room, "after-" + i + "-" + room + "-", 0, 5));
                }
            }

            // Its client reconnects to a survivor and resends what it was not sure of, with the same refs.
            clients[2].close();
            clients[2] = TestClient.welcomed(chat(0, "k9user2"));
            for (String room : rooms) {
                HistoryScenarios.join(clients[2], room, 0L, null);
            }
            for (String u : unsure) {
                String room = u.substring(0, u.indexOf('|'));
                String ref = u.substring(u.indexOf('|') + 1);
                clients[2].send(HistoryScenarios.post(room, ref, ref));
                JsonObject ack = HistoryScenarios.awaitAnswer(clients[2], ref);
                assertEquals("ack", ack.getString("type"), ack::toString);
                acked.put(ref, ack.getJsonNumber("seq").longValue());
            }

            for (String room : rooms) {
                List<JsonObject> history = HistoryScenarios.fullHistory(clients[1], room);
                List<Long> seqs = HistoryScenarios.seqs(history);
                assertEquals(LongRange.of(1, seqs.size()), seqs, room + ": the sequence continues without a gap or a duplicate");
                List<String> texts = HistoryScenarios.texts(history);
                assertEquals(texts.size(), new HashSet<>(texts).size(), room + ": every message stored once: " + texts);
                for (Map.Entry<String, Long> a : acked.entrySet()) {
                    if (a.getKey().contains(room + "-")) {
                        assertTrue(texts.contains(a.getKey()), room + ": acked " + a.getKey() + " is stored");
                    }
                }
            }
        } finally {
            for (TestClient c : clients) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    private TestClient inRoom(int node, String user, String room) {
        TestClient c = TestClient.welcomed(chat(node, user));
        HistoryScenarios.join(c, room, null, null);
        return c;
    }

    private URI chat(int node, String user) {
        return nodes.get(node).chat("name=" + user);
    }

    private static long ackedSeq(TestClient c, String ref) {
        JsonObject ack = HistoryScenarios.awaitAnswer(c, ref);
        assertEquals("ack", ack.getString("type"), ack::toString);
        return ack.getJsonNumber("seq").longValue();
    }

    private static JsonObject awaitMessage(TestClient c, String room, String text) {
        return c.await(f -> HistoryScenarios.isMessage(f, room) && text.equals(f.getString("text", null)), LONG, null);
    }

    /** As above; a failure names the client. */
    private static JsonObject awaitMessage(TestClient c, String room, String text, String who) {
        try {
            return awaitMessage(c, room, text);
        } catch (AssertionError e) {
            throw new AssertionError(who + ": " + e.getMessage(), e);
        }
    }

    private static Predicate<JsonObject> presence(String user, String event) {
        return f -> "presence".equals(f.getString("type", null)) && user.equals(f.getString("user", null))
                && event.equals(f.getString("event", null));
    }

    /** Every frame that arrives within {@code quiet} (stops early once nothing more comes before its end). */
    private static List<JsonObject> takeFor(TestClient c, Duration quiet) {
        List<JsonObject> seen = new ArrayList<>();
        long deadline = System.nanoTime() + quiet.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                seen.add(c.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))));
            } catch (AssertionError quietUntilTheEnd) {
                break;
            }
        }
        return seen;
    }

    /** Takes whatever arrives within {@code quiet} and fails on a frame of that type. */
    private static void expectNoFrame(TestClient c, String type, Duration quiet) {
        List<JsonObject> seen = takeFor(c, quiet);
        assertFalse(seen.stream().anyMatch(f -> type.equals(f.getString("type", null))), () -> "no " + type + " expected, got " + seen);
    }

    private static List<String> strings(JsonObject o, String key) {
        return o.getJsonArray(key).getValuesAs(jakarta.json.JsonString.class).stream().map(jakarta.json.JsonString::getString).toList();
    }

    private URL url(int node) {
        try {
            return nodes.get(node).http("").toURL();
        } catch (java.net.MalformedURLException e) {
            throw new AssertionError(e);
        }
    }

    /** Takes whatever arrives within {@code quiet} and fails on a presence frame about {@code user}. */
    private static void expectNoPresenceOf(TestClient c, String user, Duration quiet) {
        List<JsonObject> seen = takeFor(c, quiet);
        assertFalse(seen.stream().anyMatch(f -> "presence".equals(f.getString("type", null)) && user.equals(f.getString("user", null))),
                () -> "no presence of " + user + " expected, got " + seen);
    }

    /** 1..n as a list. */
    private static final class LongRange {
        static List<Long> of(long first, long last) {
            return java.util.stream.LongStream.rangeClosed(first, last).boxed().toList();
        }
    }
}
