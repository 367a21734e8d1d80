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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ordering under concurrency, and isolation from clients that cannot keep up. */
@ExtendWith(ArquillianExtension.class)
@Timeout(180)
class DeliveryIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        // A long close grace: the slow client resumes reading only after the others got everything.
        return Deployments.parley("parley.default-room=none\nparley.outbox.close-grace-ms=120000\n"
                + "parley.rate.messages-per-second=0\n"); // one connection sends 4,000 messages at once
    }

    @ArquillianResource
    URL base;

    private TestClient member(String name, String room) {
        TestClient c = TestClient.named(base, name).ignore(f -> "presence".equals(f.getString("type", null)));
        c.join(room);
        return c;
    }

    /** A message as receivers see it, for comparing their views. */
    private record Seen(long seq, String from, String ref) {
    }

    private static List<Seen> messages(TestClient c, int count) {
        List<Seen> seen = new ArrayList<>(count);
        while (seen.size() < count) {
            JsonObject f = c.next(Duration.ofSeconds(30));
            if ("message".equals(f.getString("type"))) {
                seen.add(new Seen(f.getJsonNumber("seq").longValue(), f.getString("from"), f.getString("ref")));
            }
        }
        return seen;
    }

    @Test
    void aThousandMessagesFromTwoConcurrentSendersReachThreeReceiversInOneOrder() throws Exception {
        int perSender = 500;
        try (TestClient r1 = member("o-r1", "order"); TestClient r2 = member("o-r2", "order"); TestClient r3 = member("o-r3", "order");
             TestClient s1 = member("o-s1", "order"); TestClient s2 = member("o-s2", "order")) {
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (TestClient s : List.of(s1, s2)) {
                String name = s == s1 ? "s1" : "s2";
                senders.add(CompletableFuture.runAsync(() -> IntStream.range(0, perSender).forEach(i ->
                        s.send("{\"type\":\"message\",\"room\":\"order\",\"text\":\"n" + i + "\",\"ref\":\"" + name + "-" + i + "\"}"))));
            }
            List<List<Seen>> views = new ArrayList<>();
            for (TestClient r : List.of(r1, r2, r3)) {
                views.add(messages(r, 2 * perSender));
            }
            CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get();

            List<Seen> first = views.get(0);
            for (int i = 1; i < first.size(); i++) {
                assertTrue(first.get(i).seq() > first.get(i - 1).seq(), "seq strictly increasing at " + i);
            }
            Set<String> refs = new HashSet<>();
            first.forEach(m -> refs.add(m.ref()));
            assertEquals(2 * perSender, refs.size(), "none lost, none doubled");
            for (String sender : List.of("s1", "s2")) {
                List<Integer> order = first.stream().filter(m -> m.ref().startsWith(sender + "-"))
                        .map(m -> Integer.parseInt(m.ref().substring(3))).toList();
                assertEquals(IntStream.range(0, perSender).boxed().toList(), order, sender + "'s messages in the order sent");
            }
            assertEquals(first, views.get(1), "receivers 1 and 2 saw the same order");
            assertEquals(first, views.get(2), "receivers 1 and 3 saw the same order");
            for (TestClient s : List.of(s1, s2)) {
                int acks = 0;
                int echoes = 0;
                while (acks < perSender || echoes < 2 * perSender) {
                    String type = s.next(Duration.ofSeconds(30)).getString("type");
                    acks += type.equals("ack") ? 1 : 0;
                    echoes += type.equals("message") ? 1 : 0;
                }
                assertEquals(perSender, acks);
            }
        }
    }

    @Test
    void aClientThatStopsReadingIsClosedAsASlowConsumerWhileTheOthersGetEverything() {
        int count = 4000;
        String text = "s".repeat(4000); // 16 MB in all: more than TCP buffers and the 1 MiB outbox hold
        int window = 100; // 400 KB of unacknowledged messages at most
        try (TestClient slow = member("sc-slow", "slow"); TestClient fast1 = member("sc-fast1", "slow");
             TestClient fast2 = member("sc-fast2", "slow"); TestClient sender = member("sc-sender", "slow")) {
            slow.pauseReading();
            // The sender reads too: its own echoes are 16 MB as well. It keeps at most `window` messages unacknowledged
            // (it waits for acks), so its unread echoes stay far below the outbox limit. Sending flat out, it was
            // itself closed as a slow consumer on WildFly when the machine was busy (1 MiB of its echoes waiting).
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                int acked = 0;
                for (int i = 0; i < count; i++) {
                    while (i - acked >= window) {
                        acked += sender.next(Duration.ofSeconds(30)).getString("type").equals("ack") ? 1 : 0;
                    }
                    sender.send("{\"type\":\"message\",\"room\":\"slow\",\"text\":\"" + text + "\",\"ref\":\"m" + i + "\"}");
                }
            });
            // Everything reaches the readers while the slow client has not read a byte.
            for (TestClient fast : List.of(fast1, fast2)) {
                List<Seen> got = messages(fast, count);
                assertEquals("m" + (count - 1), got.get(count - 1).ref());
                assertEquals(count, new HashSet<>(got).size());
            }
            sending.join();
            slow.resumeReading();
            TestClient.Closed closed = slow.awaitClose(Duration.ofSeconds(30));
            assertEquals(4008, closed.code());
            assertEquals("slow consumer", closed.reason());
            // The room goes on without it.
            sender.send("{\"type\":\"message\",\"room\":\"slow\",\"text\":\"after\",\"ref\":\"after\"}");
            assertEquals("after", fast1.await("message").getString("text"));
        }
    }
}
