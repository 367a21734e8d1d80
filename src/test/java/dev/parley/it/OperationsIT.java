package dev.parley.it;

import dev.parley.it.support.ApiClient;
import dev.parley.it.support.Deployments;
import dev.parley.it.support.Health;
import dev.parley.it.support.Metrics;
import dev.parley.it.support.TestClient;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What operators see of a running server: MicroProfile Health at {@code /health/ready} and {@code /health/live},
 * Parley's figures in Prometheus text at {@code /metrics} moving by exactly what clients did, and the API's
 * OpenAPI document at {@code /openapi}. One test touches the counters, so their movements are this test's alone.
 */
@ExtendWith(ArquillianExtension.class)
@Timeout(90)
class OperationsIT {

    static final String KEY = "operations-it-key-0123456789";
    static final Duration WAIT = Duration.ofSeconds(20);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley("parley.default-room=\nparley.api.keys=" + KEY + "\n");
    }

    @ArquillianResource
    URL base;

    /** The sample name as exported: MicroProfile Metrics adds {@code _total} to counters. */
    private static String counter(Metrics m, String name) {
        return m.has(name + "_total") ? name + "_total" : name;
    }

    private static double delta(Metrics before, Metrics after, String name, String... labels) {
        return after.value(counter(after, name), labels) - before.value(counter(before, name), labels);
    }

    private static String ackCount(Metrics m) {
        return m.names("parley_ack_latency").stream().filter(n -> n.endsWith("_count")).findFirst()
                .orElseThrow(() -> new AssertionError("no parley_ack_latency count in " + m.names("parley_")));
    }

    private Metrics awaitMetrics(Predicate<Metrics> condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Metrics m = Metrics.read(base.getPort());
            if (condition.test(m)) {
                return m;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " not within " + WAIT + "; parley metrics: " + m.names("parley_"));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    @Test
    void healthIsUpWithParleysChecks() {
        Health health = new Health(base.getPort());
        Health.Answer ready = health.read("ready");
        assertEquals(200, ready.status(), ready.body()::toString);
        assertEquals("UP", ready.check("parley-store"), ready.body()::toString);
        Health.Answer live = health.read("live");
        assertEquals(200, live.status(), live.body()::toString);
        assertEquals("UP", live.check("parley-delivery"), live.body()::toString);
    }

    @Test
    void metricsCountExactlyWhatClientsAndTheApiDid() {
        Metrics before = Metrics.read(base.getPort());
        double connections = before.value("parley_connections");
        TestClient alice = TestClient.inRoom(base, "m-alice", "m-room");
        TestClient bob = TestClient.inRoom(base, "m-bob", "m-room");
        try (alice; bob) {
            bob.ignore(f -> "presence".equals(f.getString("type", null)));
            alice.ignore(f -> "presence".equals(f.getString("type", null)));
            for (int i = 0; i < 3; i++) {
                alice.send("{\"type\":\"message\",\"room\":\"m-room\",\"text\":\"m" + i + "\",\"ref\":\"r" + i + "\"}");
                alice.expect("message");
                alice.expect("ack");
                bob.expect("message");
            }
            alice.send("{\"type\":\"message\",\"room\":\"m-elsewhere\",\"text\":\"x\",\"ref\":\"nm\"}");
            alice.expectError("not_member", "nm");
            alice.send("{\"type\":\"message\",\"room\":\"m-room\",\"text\":\" \",\"ref\":\"empty\"}");
            alice.expectError("invalid", "empty");
            HttpResponse<String> published = ApiClient.withKey(base, KEY).post("rooms/m-room/messages", "{\"text\":\"from the api\"}");
            assertEquals(201, published.statusCode(), published::body);
            alice.expect("message");
            bob.expect("message");

            Metrics during = Metrics.read(base.getPort());
            assertEquals(connections + 2, during.value("parley_connections"), "open connections");
            assertTrue(during.value("parley_rooms") >= 1);
            assertEquals(6, delta(before, during, "parley_messages_in"), "messages in: 3 posts, 2 refused, 1 published");
            assertEquals(4, delta(before, during, "parley_messages_stored"));
            assertEquals(8, delta(before, during, "parley_deliveries"), "4 messages to 2 connections each");
            assertEquals(4, delta(before, during, "parley_acks"));
            assertEquals(4, during.value(ackCount(during)) - before.value(ackCount(before)), "ack latency observations");
            assertEquals(4, during.value("parley_ack_latency_bucket", "le", "+Inf") - before.value("parley_ack_latency_bucket", "le", "+Inf"),
                    "the ack latency histogram's buckets");
            assertEquals(4, during.value("parley_ack_latency_bucket", "le", "10.0") - before.value("parley_ack_latency_bucket", "le", "10.0"),
                    "every ack within 10 s");
            assertEquals(1, delta(before, during, "parley_refused_frames", "code", "not_member"));
            assertEquals(1, delta(before, during, "parley_refused_frames", "code", "invalid"));
            assertTrue(during.has("parley_queued_bytes"), () -> "no queue bytes in " + during.names("parley_"));
            for (String intake : new String[]{"parley_intake_waits", "parley_intake_wait_milliseconds", "parley_intake_unpaced",
                    "parley_intake_refusals"}) {
                assertTrue(during.has(counter(during, intake)), () -> "no " + intake + " in " + during.names("parley_"));
            }
            assertEquals(0, delta(before, during, "parley_intake_refusals"), "a publish into a room whose readers read is not refused");
            double batches = delta(before, during, "parley_store_batches");
            assertTrue(batches >= 1 && batches <= 4, "4 messages in 1 to 4 transactions, not " + batches);
            assertEquals(batches, delta(before, during, "parley_store_batch_size_count"), "one batch size per transaction");
            assertEquals(4, delta(before, during, "parley_store_batch_size_sum"), "the batch sizes add up to the messages stored");
            assertEquals(8, during.value("parley_db_connections_max"), "the default pool size");
            assertEquals(0, during.value("parley_db_connections_waiting"));

            alice.closeNormally(WAIT);
            bob.closeNormally(WAIT);
        }
        Metrics after = awaitMetrics(m -> m.value("parley_connections") == connections
                        && delta(before, m, "parley_closes", "code", "1000") == 2, "both closes counted");
        assertEquals(0, delta(before, after, "parley_slow_consumer_closes"));
        assertEquals(6, delta(before, after, "parley_messages_in"));
    }

    @Test
    void theOpenApiDocumentDescribesTheApi() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + base.getPort() + "/openapi"))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r::body);
        for (String expected : new String[]{"/api/rooms/{room}/messages", "/api/rooms/{room}/members", "/api/users/{user}/messages",
                "/api/users/{user}/disconnect", "Idempotency-Key", "application/problem+json", "bearer", "parley.api.keys"}) {
            assertTrue(r.body().contains(expected), () -> "no " + expected + " in " + r.body());
        }
    }
}
