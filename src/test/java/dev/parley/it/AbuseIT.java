package dev.parley.it;

import dev.parley.it.support.Deployments;
import dev.parley.it.support.RawClient;
import dev.parley.it.support.ServerStatus;
import dev.parley.it.support.TestClient;
import dev.parley.protocol.FrameArbitraries;
import dev.parley.protocol.Text;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.StringReader;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Open mode, the default store and the default rate limit (100 frames a second, bursts of 1,000): a flooder
 * among fifty chatters, a reader that stops reading while 50 MB are broadcast, and generated frames over a
 * live socket. After each, the server still serves. The latency bound is the issue's own (p99 under
 * 250 ms), measured after three warm-up messages per chatter and a first flood, since a freshly started
 * server interprets its code for the first seconds.
 */
@ExtendWith(ArquillianExtension.class)
@Timeout(180)
class AbuseIT {

    static final int TEXT_CHARS = 60_000;
    static final long OUTBOX_BOUND = 1024 * 1024;
    /** The default burst of the rate limit. */
    static final int BURST = 1000;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley(String.join("\n",
                "parley.text.max-chars=" + TEXT_CHARS,
                // a reader paused for the whole broadcast still gets its 4008 when it reads again
                "parley.outbox.close-grace-ms=120000"));
    }

    @ArquillianResource
    URL base;

    @Test
    void aFlooderIsRateLimitedAndClosedWhileFiftyOthersChatWithP99Under250Ms() throws Exception {
        int chatters = 50;
        int warmUp = 3;      // messages per chatter before measuring: a fresh JVM compiles its hot paths first
        int perChatter = 10; // measured messages per chatter, one every two seconds (the room: 25 a second)
        int expected = chatters * perChatter;
        List<TestClient> clients = new ArrayList<>();
        ExecutorService readers = Executors.newFixedThreadPool(chatters + 1);
        ScheduledExecutorService senders = Executors.newScheduledThreadPool(8);
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        CountDownLatch allArrived = new CountDownLatch(chatters);
        AtomicBoolean stop = new AtomicBoolean();
        try {
            for (int i = 0; i < chatters; i++) {
                TestClient c = TestClient.connect(Deployments.chat(base, "name=chat" + i), "chat");
                c.expect("welcome");
                c.expect("joined");
                clients.add(c);
                readers.submit(() -> readChat(c, expected, latencies, allArrived, stop));
            }
            // chat: each chatter sends one message every two seconds, first a few to warm up, then the measured ones
            CountDownLatch measuring = new CountDownLatch(chatters);
            List<ScheduledFuture<?>> paced = new ArrayList<>();
            for (int i = 0; i < chatters; i++) {
                TestClient c = clients.get(i);
                String me = "chat" + i;
                AtomicInteger sent = new AtomicInteger();
                paced.add(senders.scheduleAtFixedRate(() -> {
                    int k = sent.getAndIncrement();
                    if (k == warmUp) {
                        measuring.countDown();
                    }
                    if (k < warmUp + perChatter) {
                        c.send("{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"" + (k < warmUp ? "warm-up" : me) + " "
                                + System.nanoTime() + "\",\"ref\":\"" + me + "-" + k + "\"}");
                    }
                }, 40 * i, 2000, TimeUnit.MILLISECONDS));
            }
            // The warm-up includes a first flood, so the server has compiled its refusal paths before the
            // measured one (in a fresh JVM, the compiler's own work on two cores would be what is measured).
            Flood warm = flood("warm-flooder");
            assertEquals(4429, warm.closed().code(), () -> "warm-up flooder closed with " + warm.closed());
            assertTrue(measuring.await(60, TimeUnit.SECONDS), "the chatters did not get going");
            Flood flood = flood("flooder");
            assertEquals(4429, flood.closed().code(), () -> "flooder closed with " + flood.closed());
            assertEquals("too many messages", flood.closed().reason());
            assertFalse(flood.limited().isEmpty(), "the flooder never got rate_limited");
            assertTrue(flood.limited().get(0).getString("ref").startsWith("f"), () -> flood.limited().get(0).toString());

            assertTrue(allArrived.await(90, TimeUnit.SECONDS), "not every chatter got all " + expected + " chat messages");
            paced.forEach(f -> f.cancel(false));
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            assertEquals((long) chatters * expected, sorted.size());
            long p50 = sorted.get(sorted.size() / 2) / 1_000_000;
            long p99 = sorted.get((int) (sorted.size() * 0.99)) / 1_000_000;
            long max = sorted.get(sorted.size() - 1) / 1_000_000;
            System.out.printf("FLOOD flooder sent %d frames in %d ms, got %d rate_limited, closed %d; %d chat deliveries: "
                            + "p50 %d ms, p99 %d ms, max %d ms%n",
                    flood.sent(), flood.millis(), flood.limited().size(), flood.closed().code(), sorted.size(), p50, p99, max);
            assertTrue(p99 < 250, "p99 latency " + p99 + " ms");
        } finally {
            stop.set(true);
            senders.shutdownNow();
            readers.shutdownNow();
            clients.forEach(TestClient::close);
        }
        stillServes();
    }

    /** What a flooder did and got. */
    private record Flood(int sent, long millis, TestClient.Closed closed, List<JsonObject> limited) {
    }

    /**
     * Connects a client that joins a room of its own and sends messages there as fast as it can, until the
     * server closes it (at most 50,000 or 30 s), while it reads everything the server sends (it stays in the
     * lobby and reads the chat there). It writes a thousand frames at a time on a plain socket: the attacker's
     * own work should not be what slows the others, when attacker and server share two cores. It floods a
     * room of its own because in the lobby the burst the rate limit lets through by design (1,000 messages)
     * would be 51,000 deliveries at once: that would measure the box's throughput, not whether one client can
     * hurt the others.
     */
    private Flood flood(String name) throws InterruptedException {
        try (RawClient raw = RawClient.connect(Deployments.chat(base, "name=" + name), "chat")) {
            String room = name + "-room";
            raw.sendText("{\"type\":\"join\",\"room\":\"" + room + "\"}");
            List<JsonObject> limited = Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.CompletableFuture<TestClient.Closed> closed = new java.util.concurrent.CompletableFuture<>();
            Thread reader = new Thread(() -> {
                RawClient.Frame f;
                while ((f = raw.next(Duration.ofSeconds(40))) != null) {
                    if (f.opcode() == RawClient.Frame.CLOSE) {
                        closed.complete(new TestClient.Closed(f.closeCode(), RawClient.closeReason(f)));
                        return;
                    }
                    if (f.opcode() == RawClient.Frame.TEXT && f.text().contains("\"code\":\"rate_limited\"")) {
                        try (JsonReader r = Json.createReader(new StringReader(f.text()))) {
                            limited.add(r.readObject());
                        }
                    }
                }
                closed.complete(new TestClient.Closed(1006, "dropped"));
            }, name + "-reader");
            reader.start();
            long start = System.nanoTime();
            long until = start + TimeUnit.SECONDS.toNanos(30);
            int sent = 0;
            while (!closed.isDone() && sent < 50_000 && System.nanoTime() < until) {
                List<String> batch = new ArrayList<>(1000);
                for (int i = 0; i < 1000; i++, sent++) {
                    batch.add("{\"type\":\"message\",\"room\":\"" + room + "\",\"text\":\"flood\",\"ref\":\"f" + sent + "\"}");
                }
                try {
                    raw.sendTexts(batch);
                } catch (AssertionError closedUnderUs) {
                    break;
                }
            }
            TestClient.Closed end;
            try {
                end = closed.get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the flooder " + name + " was not closed", e);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            reader.join(10_000);
            return new Flood(sent, millis, end, List.copyOf(limited));
        }
    }

    /** Counts the chatters' messages (not the flood) a client receives and records their latency. */
    private static void readChat(TestClient c, int expected, ConcurrentLinkedQueue<Long> latencies,
                                 CountDownLatch allArrived, AtomicBoolean stop) {
        int got = 0;
        while (!stop.get() && got < expected) {
            TestClient.Event e;
            try {
                e = c.nextEvent(Duration.ofSeconds(1));
            } catch (AssertionError quiet) {
                continue;
            }
            long now = System.nanoTime();
            int at = e instanceof TestClient.Text t && t.text().startsWith("{\"type\":\"message\"")
                    ? t.text().indexOf("\"text\":\"chat") : -1;
            if (at >= 0) {
                // read the send time without a JSON parser: this thread's delay is part of what is measured
                String frame = ((TestClient.Text) e).text();
                int from = frame.indexOf(' ', at) + 1;
                latencies.add(now - Long.parseLong(frame.substring(from, frame.indexOf('"', from))));
                got++;
            } else if (e instanceof TestClient.Closed) {
                return;
            }
        }
        if (got == expected) {
            allArrived.countDown();
        }
    }

    @Test
    void aReaderThatStopsReadingWhile50MbAreBroadcastIsClosedWith4008AndTheHeapStaysBounded() throws Exception {
        ServerStatus status = new ServerStatus(base);
        JsonObject before = status.read();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        AtomicLong largestQueue = new AtomicLong();
        AtomicLong mostQueued = new AtomicLong();
        AtomicLong mostHeap = new AtomicLong();
        try (TestClient slow = TestClient.connect(Deployments.chat(base, "name=slow"), "chat");
             TestClient watcher = TestClient.connect(Deployments.chat(base, "name=watcher"), "chat");
             TestClient sender = TestClient.connect(Deployments.chat(base, "name=sender"), "chat")) {
            for (TestClient c : List.of(slow, watcher, sender)) {
                c.expect("welcome");
                c.expect("joined");
            }
            slow.pauseReading();
            sampler.scheduleAtFixedRate(() -> {
                JsonObject s = status.read();
                largestQueue.accumulateAndGet(s.getJsonNumber("largestQueueBytes").longValue(), Math::max);
                mostQueued.accumulateAndGet(s.getJsonNumber("queuedBytes").longValue(), Math::max);
                mostHeap.accumulateAndGet(s.getJsonNumber("heapUsedBytes").longValue(), Math::max);
            }, 0, 100, TimeUnit.MILLISECONDS);

            String chunk = "0123456789abcdef".repeat(TEXT_CHARS / 16);
            int messages = (int) Math.ceil(50.0 * 1024 * 1024 / chunk.length());
            List<String> broadcast = new ArrayList<>();
            for (int i = 0; i < messages; i++) {
                broadcast.add("{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"" + chunk + "\",\"ref\":\"b" + i + "\"}");
            }
            // In one burst, as fast as the client can write (within the rate limit's burst of 1,000): the server
            // takes the sender's frames in no faster than it writes the deliveries out to the members that read,
            // so neither the watcher nor the sender, who both read, is closed as a slow consumer.
            long start = System.nanoTime();
            sendWithinRate(sender, broadcast);
            // a reading member gets the whole broadcast, in order: the slow one held up nobody
            long lastSeq = 0;
            for (int got = 0; got < messages; ) {
                JsonObject f = watcher.await(m -> "message".equals(m.getString("type", null)), Duration.ofSeconds(60), null);
                if (f.getString("from").equals("sender")) {
                    assertEquals("b" + got, f.getString("ref", "b" + got), "out of order");
                    assertTrue(f.getJsonNumber("seq").longValue() > lastSeq, () -> "seq went back: " + f.get("seq"));
                    lastSeq = f.getJsonNumber("seq").longValue();
                    got++;
                }
            }
            long deliveredMs = (System.nanoTime() - start) / 1_000_000;
            // the sender reads too: it gets its own copy of each and every ack, and stays open
            int echoes = 0;
            int acks = 0;
            while (acks < messages) {
                JsonObject f = sender.await(m -> m.getString("ref", "").startsWith("b"), Duration.ofSeconds(60), null);
                if ("ack".equals(f.getString("type"))) {
                    assertEquals("b" + acks, f.getString("ref"), "acks out of order");
                    acks++;
                } else if ("message".equals(f.getString("type"))) {
                    echoes++;
                }
            }
            System.out.printf("BURST %d messages of %d chars delivered to the watcher in %d ms%n", messages, TEXT_CHARS, deliveredMs);
            assertEquals(messages, echoes, "the sender's own copies");
            assertFalse(watcher.isClosed(), "the watcher, which reads, was closed");
            assertFalse(sender.isClosed(), "the sender, which reads, was closed");
            slow.resumeReading();
            TestClient.Closed closed = slow.awaitClose(Duration.ofSeconds(60));
            assertEquals(4008, closed.code());
            assertEquals("slow consumer", closed.reason());
            sampler.shutdown();
            assertTrue(sampler.awaitTermination(5, TimeUnit.SECONDS));
            JsonObject after = status.read();
            System.out.printf("SLOW broadcast %d messages (%d MB); largest queue %d bytes, all queues at most %d bytes; "
                            + "heap used before %d MB, at most %d MB, after %d MB (max %d MB)%n",
                    messages, (long) messages * chunk.length() >> 20, largestQueue.get(), mostQueued.get(),
                    mb(before, "heapUsedBytes"), mostHeap.get() >> 20, mb(after, "heapUsedBytes"), mb(after, "heapMaxBytes"));
            // one connection never held more than its bound (plus the frame in flight) ...
            assertTrue(largestQueue.get() <= OUTBOX_BOUND + 64 * 1024, "a queue held " + largestQueue.get() + " bytes");
            // ... nor all of them together more than three such queues, though 50 MB went to each ...
            assertTrue(mostQueued.get() <= 3 * (OUTBOX_BOUND + 64 * 1024), "the queues held " + mostQueued.get() + " bytes");
            // ... so the heap never came near holding the broadcast for the slow reader
            assertTrue(mostHeap.get() < after.getJsonNumber("heapMaxBytes").longValue() * 3 / 4,
                    "heap used went up to " + (mostHeap.get() >> 20) + " MB");
            // the slow reader's queue was dropped with it
            assertTrue(after.getJsonNumber("queuedBytes").longValue() <= 2 * (OUTBOX_BOUND + 64 * 1024));
        } finally {
            sampler.shutdownNow();
        }
        stillServes();
    }

    @Test
    void generatedFramesOverALiveSocketAreAllAnsweredWithoutInternalErrors() {
        List<String> frames = FrameArbitraries.sample(20261121L, 800).stream()
                .filter(Text::isWellFormed) // a WebSocket text frame cannot carry an unpaired surrogate
                .toList();
        try (TestClient fuzz = TestClient.connect(Deployments.chat(base, "name=fuzz"), "chat")) {
            fuzz.expect("welcome");
            fuzz.expect("joined");
            sendWithinRate(fuzz, frames);
            fuzz.send("{\"type\":\"ping\",\"ref\":\"end-of-fuzz\"}");
            List<JsonObject> seen = new ArrayList<>();
            fuzz.await(f -> "pong".equals(f.getString("type", null)) && "end-of-fuzz".equals(f.getString("ref", null)),
                    Duration.ofSeconds(60), seen);
            long errors = seen.stream().filter(f -> "error".equals(f.getString("type", null))).count();
            System.out.printf("FUZZ live: %d frames sent, %d frames received before the final pong, %d of them errors%n",
                    frames.size(), seen.size(), errors);
            for (JsonObject f : seen) {
                assertFalse("internal".equals(f.getString("code", null)), f::toString);
            }
            assertTrue(errors > frames.size() / 4, "suspiciously few errors: " + errors);
            assertFalse(fuzz.isClosed());
        }
        // random bytes as a text frame: not UTF-8, so the container closes with 1007
        try (RawClient raw = RawClient.connect(Deployments.chat(base, "name=bytes"), "chat")) {
            byte[] junk = new byte[256];
            new java.util.Random(20261121L).nextBytes(junk);
            junk[0] = (byte) 0xC3; // a lead byte followed by
            junk[1] = (byte) 0x28; // a byte that cannot continue it
            raw.sendTextBytes(junk);
            RawClient.Frame f;
            while ((f = raw.next(TestClient.WAIT)) != null && f.opcode() != RawClient.Frame.CLOSE) {
                // welcome and joined come first
            }
            assertTrue(f != null, "the connection was dropped without a close frame");
            assertEquals(1007, f.closeCode());
        }
        stillServes();
    }

    /**
     * Sends the frames at the rate a connection may keep up (the burst, then 90 a second: under the default
     * 100), so that what is tested is not the rate limit; returns once all are sent.
     */
    private static void sendWithinRate(TestClient c, List<String> frames) {
        sendAtRate(c, frames, BURST - 10);
    }

    /** Sends {@code first} frames in the first second, then 90 a second; returns once all are sent. */
    private static void sendAtRate(TestClient c, List<String> frames, int first) {
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        try {
            pacer.scheduleAtFixedRate(() -> {
                int n = next.get() == 0 ? first : 90;
                for (int i = 0; i < n && next.get() < frames.size(); i++) {
                    c.send(frames.get(next.getAndIncrement()));
                }
                if (next.get() >= frames.size()) {
                    done.countDown();
                }
            }, 0, 1, TimeUnit.SECONDS);
            assertTrue(done.await(frames.size() / 90 + 30, TimeUnit.SECONDS), "could not send the frames");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            pacer.shutdownNow();
        }
    }

    private void stillServes() {
        try (TestClient canary = TestClient.connect(Deployments.chat(base, "name=canary"), "chat")) {
            canary.expect("welcome");
            canary.expect("joined");
            canary.send("{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"still here\",\"ref\":\"c\"}");
            canary.await(f -> "ack".equals(f.getString("type", null)) && "c".equals(f.getString("ref", null)), TestClient.WAIT, null);
        }
    }

    private static long mb(JsonObject status, String field) {
        return status.getJsonNumber(field).longValue() >> 20;
    }
}
