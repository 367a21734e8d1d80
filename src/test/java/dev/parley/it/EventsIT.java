package dev.parley.it;

import dev.parley.it.support.AppData;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Application events beyond chat on one deployed server: {@code data} on messages and direct messages through
 * live delivery, history and recovery; signals, fast and for a client that stops reading; member state in
 * presence. Each test uses rooms and users of its own.
 */
@ExtendWith(ArquillianExtension.class)
@Timeout(240)
class EventsIT {

    private static final String DATA = AppData.AWKWARD;

    @Deployment(testable = false)
    static WebArchive deployment() {
        // One connection sends thousands of frames at once; a slow client resumes reading only after the others got everything.
        return Deployments.parley("parley.default-room=none\nparley.rate.messages-per-second=0\n"
                + "parley.rate.app-signals-per-second=0\nparley.outbox.close-grace-ms=120000\n");
    }

    @ArquillianResource
    URL base;

    private static JsonObject json(String s) {
        return AppData.json(s);
    }

    private TestClient member(String name, String room) {
        TestClient c = TestClient.named(base, name).ignore(f -> "presence".equals(f.getString("type", null)));
        c.join(room);
        return c;
    }

    /** Round-trips a ping: every frame queued for {@code c} before it has then been received. */
    private static void barrier(TestClient c) {
        c.send("{\"type\":\"ping\",\"ref\":\"barrier\"}");
        assertEquals("barrier", c.await("pong").getString("ref"));
    }

    // ------------------------------------------------------------------------------------------- data

    @Test
    void dataRoundTripsExactlyThroughLiveDeliveryHistoryAndRecovery() {
        JsonObject data = json(DATA);
        try (TestClient alice = member("d-alice", "data"); TestClient bob = member("d-bob", "data")) {
            alice.send("{\"type\":\"message\",\"room\":\"data\",\"text\":\"a drawing\",\"data\":" + DATA + ",\"ref\":\"m1\"}");
            JsonObject live = bob.expect("message");
            assertEquals(data, live.getJsonObject("data"), "live");
            assertEquals("a drawing", live.getString("text"));
            long first = live.getJsonNumber("seq").longValue();
            assertEquals(first, alice.await("ack").getJsonNumber("seq").longValue());

            String epoch = bob.join("data").getString("epoch"); // the same join again: bob's history is fresh
            bob.close();
            alice.send("{\"type\":\"message\",\"room\":\"data\",\"data\":{\"only\":[1.5,\"data\"]},\"ref\":\"m2\"}");
            JsonObject dataOnly = alice.await(f -> "message".equals(f.getString("type")) && "m2".equals(f.getString("ref", null)),
                    TestClient.WAIT, null);
            assertEquals("m2", alice.await("ack").getString("ref"));
            assertEquals("", dataOnly.getString("text"), "a message of data alone has an empty text");
            assertEquals(json("{\"only\":[1.5,\"data\"]}"), dataOnly.getJsonObject("data"));

            alice.send("{\"type\":\"history\",\"room\":\"data\",\"ref\":\"h\"}");
            List<JsonObject> history = alice.await("history").getJsonArray("messages").getValuesAs(JsonObject.class);
            assertEquals(data, history.get(history.size() - 2).getJsonObject("data"), "history");
            assertEquals(json("{\"only\":[1.5,\"data\"]}"), history.get(history.size() - 1).getJsonObject("data"));

            try (TestClient back = TestClient.named(base, "d-bob")) {
                back.send("{\"type\":\"join\",\"room\":\"data\",\"since\":" + (first - 1) + ",\"epoch\":\"" + epoch + "\"}");
                List<JsonObject> missed = back.await("joined").getJsonArray("history").getValuesAs(JsonObject.class);
                assertEquals(2, missed.size(), missed::toString);
                assertEquals(data, missed.get(0).getJsonObject("data"), "recovery");
                assertEquals("m1", missed.get(0).getString("ref"));
                assertEquals(json("{\"only\":[1.5,\"data\"]}"), missed.get(1).getJsonObject("data"));
                assertFalse(missed.get(1).containsKey("text") && !missed.get(1).getString("text").isEmpty());
            }
        }
    }

    @Test
    void directMessagesCarryDataLiveAndHeldForTheNextConnection() {
        JsonObject data = json(DATA);
        try (TestClient alice = member("dd-alice", "ddata")) {
            try (TestClient carol = member("dd-carol", "ddata")) {
                carol.send("{\"type\":\"ping\"}").await("pong"); // met alice, so alice may write to her; gone again
            }
            try (TestClient bob = member("dd-bob", "ddata")) {
                alice.send("{\"type\":\"direct\",\"to\":\"dd-bob\",\"data\":" + DATA + ",\"ref\":\"d1\"}");
                JsonObject live = bob.await("direct");
                assertEquals(data, live.getJsonObject("data"));
                assertEquals("", live.getString("text"));
                assertEquals("dd-bob", alice.await("ack").getString("to"));
            }
            alice.send("{\"type\":\"direct\",\"to\":\"dd-carol\",\"text\":\"later\",\"data\":" + DATA + ",\"ref\":\"d2\"}");
            assertEquals("d2", alice.await("ack").getString("ref"));
            try (TestClient carol = TestClient.named(base, "dd-carol")) {
                JsonObject held = carol.await("direct");
                assertEquals("later", held.getString("text"));
                assertEquals(data, held.getJsonObject("data"), "held and delivered on the next connection");
            }
        }
    }

    @Test
    void dataOverTheLimitIsTooLongAndAtTheLimitIsStored() {
        try (TestClient alice = member("dl-alice", "dlimit")) {
            String atLimit = sized(16 * 1024); // exactly 16 KiB of compact JSON
            alice.send("{\"type\":\"message\",\"room\":\"dlimit\",\"data\":" + atLimit + ",\"ref\":\"ok\"}");
            JsonObject answer = alice.await(f -> "ok".equals(f.getString("ref", null)) && !"message".equals(f.getString("type")),
                    TestClient.WAIT, null);
            assertEquals("ack", answer.getString("type"), answer::toString);
            String over = atLimit.replaceFirst("x", "\u00e9"); // as many characters, one UTF-8 byte more
            alice.send("{\"type\":\"message\",\"room\":\"dlimit\",\"data\":" + over + ",\"ref\":\"big\"}");
            JsonObject error = alice.await("error");
            assertEquals("too_long", error.getString("code"));
            assertEquals("big", error.getString("ref"));
            alice.send("{\"type\":\"direct\",\"to\":\"dl-alice\",\"data\":" + over + ",\"ref\":\"bigd\"}");
            assertEquals("too_long", alice.await("error").getString("code"));
            alice.send("{\"type\":\"signal\",\"room\":\"dlimit\",\"data\":" + over + ",\"ref\":\"bigs\"}");
            JsonObject signalError = alice.await("error");
            assertEquals("too_long", signalError.getString("code"));
            assertEquals("bigs", signalError.getString("ref"));
            alice.send("{\"type\":\"message\",\"room\":\"dlimit\",\"data\":[1],\"ref\":\"arr\"}");
            assertEquals("invalid", alice.await("error").getString("code"), "data must be an object");
        }
    }

    /**
     * A compact JSON object of exactly {@code bytes} ASCII bytes: an array of strings of about 1,000 characters.
     */
    private static String sized(int bytes) {
        int items = bytes / 1000;
        int chars = bytes - "{\"a\":[]}".length() - 2 * items - (items - 1);
        StringBuilder json = new StringBuilder("{\"a\":[");
        for (int i = 0; i < items; i++) {
            int length = chars / items + (i < chars % items ? 1 : 0);
            json.append(i == 0 ? "" : ",").append('"').append("x".repeat(length)).append('"');
        }
        String result = json.append("]}").toString();
        assertEquals(bytes, result.length());
        return result;
    }

    // ------------------------------------------------------------------------------------------- signals

    @Test
    void twoThousandSignalsInOneSecondReachTwoFastReceiversInOrder() {
        int count = 2000;
        try (TestClient alice = member("s-alice", "sig"); TestClient bob = member("s-bob", "sig");
             TestClient carol = member("s-carol", "sig")) {
            // The receivers read as the signals come, each on a thread of its own, as fast clients do.
            List<CompletableFuture<Long>> receivers = new ArrayList<>();
            for (TestClient r : List.of(bob, carol)) {
                receivers.add(CompletableFuture.supplyAsync(() -> {
                    for (int i = 0; i < count; i++) {
                        JsonObject s = r.next(Duration.ofSeconds(30));
                        assertEquals("signal", s.getString("type"), s::toString);
                        assertEquals("s-alice", s.getString("from"));
                        assertEquals("sig", s.getString("room"));
                        assertFalse(s.containsKey("seq"), "signals have no seq");
                        assertEquals(json("{\"x\":" + i + ",\"y\":" + (count - i) + "}"), s.getJsonObject("data"));
                    }
                    return System.nanoTime();
                }));
            }
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long due = start + i * 500_000L; // 2,000 per second, evenly
                while (System.nanoTime() < due) {
                    LockSupport.parkNanos(100_000);
                }
                alice.send("{\"type\":\"signal\",\"room\":\"sig\",\"data\":{\"x\":" + i + ",\"y\":" + (count - i) + "}}");
            }
            long sent = System.nanoTime();
            for (CompletableFuture<Long> r : receivers) {
                long received = r.join();
                System.out.printf("%d signals sent in %d ms, all received %d ms after the last was sent%n", count,
                        (sent - start) / 1_000_000, (received - sent) / 1_000_000);
            }
            alice.send("{\"type\":\"ping\",\"ref\":\"p\"}");
            assertEquals("pong", alice.next().getString("type"), "no echo and no ack for the sender");
        }
    }

    @Test
    void aReceiverThatStopsReadingLosesOnlyOlderSignalsAndIsClosedOnlyWhenStoredMessagesOverflow() {
        int count = 8000;
        String pad = "p".repeat(2000); // 16 MB of signals: more than TCP buffers and the 1 MiB outbox hold
        try (TestClient slow = member("v-slow", "vol"); TestClient fast1 = member("v-fast1", "vol");
             TestClient fast2 = member("v-fast2", "vol"); TestClient sender = member("v-sender", "vol")) {
            slow.pauseReading();
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < count; i++) {
                    sender.send("{\"type\":\"signal\",\"room\":\"vol\",\"data\":{\"i\":" + i + ",\"pad\":\"" + pad + "\"}}");
                }
            });
            for (TestClient fast : List.of(fast1, fast2)) {
                int last = lastSignal(fast, count - 1);
                assertEquals(count - 1, last, "the fast receivers get the newest signal");
            }
            sending.join();
            barrier(sender);
            assertFalse(slow.isClosed(), "signals alone never close a slow receiver");

            slow.resumeReading();
            assertEquals(count - 1, lastSignal(slow, count - 1), "having read on, the slow receiver gets the newest signal");
            barrier(slow);
            assertFalse(slow.isClosed());

            slow.pauseReading();
            String text = "s".repeat(4000);
            // The sender keeps at most 100 messages unacknowledged, as in DeliveryIT: flat out, its own 16 MB of
            // echoes could close it as a slow consumer on a busy machine.
            CompletableFuture<Void> messages = CompletableFuture.runAsync(() -> {
                int acked = 0;
                for (int i = 0; i < 4000; i++) {
                    while (i - acked >= 100) {
                        acked += sender.next(Duration.ofSeconds(30)).getString("type").equals("ack") ? 1 : 0;
                    }
                    sender.send("{\"type\":\"message\",\"room\":\"vol\",\"text\":\"" + text + "\",\"ref\":\"m" + i + "\"}");
                }
            });
            for (TestClient fast : List.of(fast1, fast2)) {
                fast.await(f -> "message".equals(f.getString("type")) && "m3999".equals(f.getString("ref", null)),
                        Duration.ofSeconds(120), null);
            }
            messages.join();
            slow.resumeReading();
            TestClient.Closed closed = slow.awaitClose(Duration.ofSeconds(60));
            assertEquals(4008, closed.code(), "stored messages overflow the outbox: slow consumer");
        }
    }

    /** Reads signals until the one numbered {@code until}; checks they only ever increase; returns the last one's number. */
    private static int lastSignal(TestClient c, int until) {
        int last = -1;
        while (last < until) {
            JsonObject s = c.next(Duration.ofSeconds(60));
            assertEquals("signal", s.getString("type"), s::toString);
            int i = s.getJsonObject("data").getInt("i");
            assertTrue(i > last, () -> "signals in order: " + i + " after " + c);
            last = i;
        }
        return last;
    }

    // ------------------------------------------------------------------------------------------- state

    @Test
    void memberStateReachesMembersAppearsInJoinedAndGoesWithTheLastConnection() {
        try (TestClient alice = TestClient.named(base, "st-alice"); TestClient bob = TestClient.named(base, "st-bob")) {
            alice.join("st");
            bob.join("st");
            assertEquals("join", alice.expect("presence").getString("event"));
            alice.send("{\"type\":\"state\",\"room\":\"st\",\"data\":{\"colour\":\"#e33\",\"status\":\"away\"}}");
            JsonObject update = bob.expect("presence");
            assertEquals(json("{\"type\":\"presence\",\"room\":\"st\",\"user\":\"st-alice\",\"event\":\"update\","
                    + "\"data\":{\"colour\":\"#e33\",\"status\":\"away\"}}"), update);
            bob.send("{\"type\":\"state\",\"room\":\"st\",\"data\":{\"colour\":\"#33e\"}}");
            assertEquals("update", alice.expect("presence").getString("event"));

            try (TestClient carol = TestClient.named(base, "st-carol")) {
                JsonObject joined = carol.join("st");
                assertEquals(List.of("st-alice", "st-bob", "st-carol"),
                        joined.getJsonArray("members").getValuesAs(jakarta.json.JsonString::getString), "members unchanged");
                assertEquals(json("{\"st-alice\":{\"colour\":\"#e33\",\"status\":\"away\"},\"st-bob\":{\"colour\":\"#33e\"}}"),
                        joined.getJsonObject("state"));
            }
            alice.send("{\"type\":\"leave\",\"room\":\"st\"}");
            alice.await("left");
            try (TestClient dave = TestClient.named(base, "st-dave")) {
                JsonObject joined = dave.join("st");
                assertEquals(json("{\"st-bob\":{\"colour\":\"#33e\"}}"), joined.getJsonObject("state"),
                        "alice's state went with her last connection");
            }

            alice.send("{\"type\":\"state\",\"room\":\"st\",\"data\":{},\"ref\":\"nm\"}");
            alice.expectError("not_member", "nm");
            bob.send("{\"type\":\"state\",\"room\":\"st\",\"data\":{\"s\":\"" + "x".repeat(1100) + "\"},\"ref\":\"big\"}");
            bob.await(f -> "error".equals(f.getString("type")) && "big".equals(f.getString("ref", null))
                    && "too_long".equals(f.getString("code")), TestClient.WAIT, null);
        }
    }
}
