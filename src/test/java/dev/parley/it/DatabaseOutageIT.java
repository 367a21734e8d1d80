package dev.parley.it;

import dev.parley.it.support.Health;
import dev.parley.it.support.PayaraProcess;
import dev.parley.it.support.TestClient;
import dev.parley.it.support.ThrowawayPostgres;
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

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static dev.parley.it.HistoryScenarios.LONG;
import static dev.parley.it.HistoryScenarios.awaitAnswer;
import static dev.parley.it.HistoryScenarios.isMessage;
import static dev.parley.it.HistoryScenarios.join;
import static dev.parley.it.HistoryScenarios.post;
import static dev.parley.it.HistoryScenarios.sendAndAwaitAcks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The database stops in the middle of a conversation and starts again: sends are refused with
 * {@code unavailable} (never acked), connections, presence and typing carry on, sends succeed again
 * once the database is back, without restarting Parley, and no acknowledged message is lost.
 * Parley also starts while the database is down and reaches it later. Uses a PostgreSQL cluster of its own,
 * which it may stop.
 */
@Needs(Prerequisite.POSTGRES_CLUSTERS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class DatabaseOutageIT {

    private ThrowawayPostgres pg;
    private Postgres.Database db;
    private PayaraProcess server;

    /** Parley starts while its database is down (the first test brings it up). */
    @BeforeAll
    void start() {
        pg = ThrowawayPostgres.create();
        db = pg.server().createDatabase("parley_it_outage");
        pg.stop();
        server = PayaraProcess.builder("outage")
                .property("parley.db.url", db.url())
                .property("parley.db.user", db.user())
                .property("parley.db.connect-timeout-ms", "1000")
                .property("parley.api.keys", API_KEY)
                .build().start();
        health = new Health(server.port());
    }

    private static final String API_KEY = "outage-api-key-0123456789";
    private Health health;

    /** POST /api/rooms/{room}/messages with the test key. */
    private HttpResponse<String> publish(String room, String text, String key) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.http("api/rooms/" + room + "/messages"))
                .header("Authorization", "Bearer " + API_KEY).header("Content-Type", "application/json")
                .header("Idempotency-Key", key).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + text + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(1)
    void parleyStartsWithItsDatabaseDownAndAcceptsSendsOnceItIsUp() {
        server.awaitLog(line -> line.contains("history database not reachable yet"), LONG);
        Health.Answer down = health.await("ready", "DOWN", LONG);
        assertEquals(503, down.status());
        assertEquals("DOWN", down.check("parley-store"));
        assertEquals(200, health.read("live").status(), "a database outage is no reason to restart");
        try (TestClient alice = TestClient.welcomed(server.chat("name=early"))) {
            join(alice, "early", null, null);
            alice.send(post("early", "first", "e-1"));
            JsonObject refused = awaitAnswer(alice, "e-1");
            assertEquals("unavailable", refused.getString("code"), () -> "no ack without a database: " + refused);

            pg.start();
            assertEquals(200, health.await("ready", "UP", LONG).status());

            // Retried with the same ref, as the error tells a client to; bounded in time and count.
            long deadline = System.nanoTime() + LONG.toNanos();
            JsonObject answer = refused;
            for (int attempt = 0; attempt < 5000 && System.nanoTime() < deadline && !"ack".equals(answer.getString("type")); attempt++) {
                alice.send(post("early", "first", "e-1"));
                answer = awaitAnswer(alice, "e-1");
            }
            assertEquals("ack", answer.getString("type"), "accepted once the database is up, without a restart");
            assertEquals(1, answer.getJsonNumber("seq").longValue());
        }
        server.awaitLog(line -> line.contains("history stored in"), LONG);
        assertEquals(1, db.queryLong("SELECT COUNT(*) FROM parley_message WHERE room = ?", "early"));
    }

    @AfterAll
    void stop() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (pg != null) {
                pg.close();
            }
        }
    }

    @Test
    @Order(2)
    void sendsAreRefusedWhileTheDatabaseIsDownAndAcceptedAgainWhenItIsBack() throws Exception {
        String room = "outage";
        try (TestClient alice = TestClient.welcomed(server.chat("name=alice")); TestClient bob = TestClient.welcomed(server.chat("name=bob"))) {
            join(bob, room, null, null);
            join(alice, room, null, null);
            Map<String, Long> acked = new HashMap<>(sendAndAwaitAcks(alice, room, "a-", 0, 20));
            List<JsonObject> before = new ArrayList<>();
            before.add(bob.await(f -> isMessage(f, room) && "a-19".equals(f.getString("ref")), LONG, before));
            assertEquals(IntStream.range(0, 20).mapToObj(i -> "a-" + i).toList(), refsOfMessages(before, room));

            assertEquals("UP", health.read("ready").state());
            pg.stop();
            assertEquals("DOWN", health.await("ready", "DOWN", LONG).check("parley-store"));
            HttpResponse<String> refused = publish(room, "from a backend", "api-1");
            assertEquals(503, refused.statusCode(), refused::body);
            assertTrue(refused.body().contains("\"code\":\"unavailable\""), refused::body);
            assertEquals("5", refused.headers().firstValue("Retry-After").orElse(null));

            for (int i = 0; i < 5; i++) {
                alice.send(post(room, "o-" + i, "o-" + i));
            }
            for (int i = 0; i < 5; i++) {
                JsonObject answer = awaitAnswer(alice, "o-" + i);
                assertEquals("error", answer.getString("type"), () -> "no ack while the database is down: " + answer);
                assertEquals("unavailable", answer.getString("code"));
            }

            // The connections stay open and everything that needs no database still works.
            alice.send("{\"type\":\"ping\",\"ref\":\"p\"}");
            alice.await(f -> "pong".equals(f.getString("type", null)), LONG, null);
            alice.send("{\"type\":\"typing\",\"room\":\"" + room + "\"}");
            List<JsonObject> duringOutage = new ArrayList<>();
            JsonObject typing = bob.await(f -> "typing".equals(f.getString("type", null)), LONG, duringOutage);
            assertEquals("alice", typing.getString("from"));
            try (TestClient carol = TestClient.welcomed(server.chat("name=carol"))) {
                JsonObject joined = join(carol, room, null, null);
                assertTrue(joined.getBoolean("truncated", false), "history could not be read: the join says so");
                assertTrue(joined.getJsonArray("members").getValuesAs(jakarta.json.JsonString.class).stream()
                        .map(jakarta.json.JsonString::getString).toList().containsAll(List.of("alice", "bob", "carol")));
                JsonObject presence = bob.await(f -> "presence".equals(f.getString("type", null)) && "carol".equals(f.getString("user", null)), LONG, duringOutage);
                assertEquals("join", presence.getString("event"));
            }
            assertEquals(List.of(), refsOfMessages(duringOutage, room), "nothing refused was broadcast");
            assertFalse(alice.isClosed() || bob.isClosed(), "connections stay open");

            pg.start();
            assertEquals("UP", health.await("ready", "UP", LONG).check("parley-store"));
            assertEquals("UP", health.read("live").state());

            // The client retries with the same refs, as an unavailable error tells it to; each retry awaits its answer.
            for (int i = 0; i < 5; i++) {
                String ref = "o-" + i;
                JsonObject answer = null;
                for (int attempt = 0; attempt < 30; attempt++) {
                    alice.send(post(room, ref, ref));
                    answer = awaitAnswer(alice, ref);
                    if ("ack".equals(answer.getString("type"))) {
                        break;
                    }
                    assertEquals("unavailable", answer.getString("code"));
                }
                assertEquals("ack", answer.getString("type"), "accepted again once the database is back, without a restart");
                acked.put(ref, answer.getJsonNumber("seq").longValue());
            }

            HttpResponse<String> accepted = publish(room, "from a backend", "api-1");
            assertEquals(201, accepted.statusCode(), accepted::body);

            List<JsonObject> seen = new ArrayList<>();
            alice.send(post(room, "end", "end"));
            bob.await(f -> isMessage(f, room) && "end".equals(f.getString("text")), LONG, seen);
            List<String> expected = new ArrayList<>(IntStream.range(0, 5).mapToObj(i -> "o-" + i).toList());
            expected.add("api-1");
            assertEquals(expected, refsOfMessages(seen, room),
                    "bob saw each message accepted after the outage once, in order");
        }

        try (TestClient dan = TestClient.welcomed(server.chat("name=dan"))) {
            JsonObject joined = join(dan, room, 0L, null);
            List<String> stored = joined.getJsonArray("history").getValuesAs(JsonObject.class).stream()
                    .map(m -> m.getString("ref")).toList();
            assertEquals(27, stored.size(), "25 acked messages, the backend's and the marker, nothing lost, nothing doubled: " + stored);
        }
        assertEquals(27, db.queryLong("SELECT COUNT(*) FROM parley_message WHERE room = ?", room));
    }

    private static List<String> refsOfMessages(List<JsonObject> frames, String room) {
        return frames.stream().filter(f -> isMessage(f, room)).map(f -> f.getString("ref")).toList();
    }
}
