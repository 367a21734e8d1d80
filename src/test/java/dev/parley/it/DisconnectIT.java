package dev.parley.it;

import dev.parley.it.support.Deployments;
import dev.parley.it.support.ServerStatus;
import dev.parley.it.support.StormClient;
import dev.parley.it.support.TestClient;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How connections end, and that the server forgets them at once whichever way they end. Mass disconnects:
 * hundreds of clients that share rooms vanish together (a network blip, a proxy restart) while messages flow
 * in those rooms; every failed write to a vanished client makes the container run the close callbacks on the
 * writing thread, and the server must come out of each round with no deadlocked thread, all their state
 * released, and a newcomer chatting within a second. Resets right after the upgrade. A slow consumer that
 * reads again right after it was dropped still gets its close code.
 */
@ExtendWith(ArquillianExtension.class)
@Timeout(900)
class DisconnectIT {

    private static final int CLIENTS = 200;
    private static final int ROUNDS = 10;
    private static final List<String> SHARED = List.of("storm-a", "storm-b", "storm-c");
    private static final Duration NEWCOMER_BUDGET = Duration.ofSeconds(1);
    private static final int GHOSTS = 60;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley("parley.store=memory\nparley.rate.messages-per-second=0\n"
                + "parley.limits.connections-per-address=0\nparley.limits.connections-per-user=0\n");
    }

    @ArquillianResource
    URL base;

    @Test
    void hundredsOfClientsInSharedRoomsDroppingAtOnceWhileMessagesFlowLeaveTheServerServing() throws Exception {
        ServerStatus status = new ServerStatus(base);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<TestClient> senders = new ArrayList<>();
        try {
            for (String room : SHARED) {
                TestClient s = TestClient.connect(Deployments.chat(base, "name=sender-" + room), "chat");
                s.expect("welcome");
                s.ignore(f -> !"ack".equals(f.getString("type", null)));
                s.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
                senders.add(s);
            }
            int baseline = status.await(s -> s.getInt("connections") == SHARED.size(), Duration.ofSeconds(10),
                    "the senders connected").getInt("connections");
            for (int round = 1; round <= ROUNDS; round++) {
                List<StormClient> crowd = crowd(pool, round);
                AtomicBoolean flowing = new AtomicBoolean(true);
                AtomicInteger acked = new AtomicInteger();
                CountDownLatch started = new CountDownLatch(senders.size());
                List<Future<?>> flow = new ArrayList<>();
                for (int i = 0; i < senders.size(); i++) {
                    flow.add(pool.submit(sendUntilStopped(senders.get(i), SHARED.get(i), round, flowing, acked, started)));
                }
                // messages flow into the rooms of the crowd, then all of it vanishes at once
                assertTrue(started.await(30, TimeUnit.SECONDS), "round " + round + ": every sender's first message acknowledged");
                int before = acked.get();
                crowd.forEach(StormClient::reset);

                try {
                    long start = System.nanoTime();
                    newcomerChatsWithinASecond(round);
                    System.out.printf("STORM round %d: %d clients reset, newcomer chatted after %d ms%n", round, CLIENTS,
                            (System.nanoTime() - start) / 1_000_000);
                } catch (AssertionError e) {
                    throw new AssertionError("round " + round + ": a newcomer could not chat within " + NEWCOMER_BUDGET
                            + " (" + e.getMessage() + "); server status: " + status.read(), e);
                }

                flowing.set(false);
                for (Future<?> f : flow) {
                    f.get();
                }
                assertTrue(acked.get() > before, "round " + round + ": messages flowed while the crowd dropped");
                JsonObject s = status.read();
                assertEquals(0, s.getInt("deadlockedThreads"), "round " + round + ": deadlocked threads: " + s);
                int expected = baseline;
                status.await(x -> x.getInt("connections") == expected, Duration.ofSeconds(30),
                        "round " + round + ": every dropped connection released");
            }
        } finally {
            senders.forEach(TestClient::close);
            pool.shutdownNow();
        }
    }

    /** Each test starts with no connection open, so counts read at its start are not inflated by the last one's. */
    @AfterEach
    void everyConnectionReleased() {
        new ServerStatus(base).await(s -> s.getInt("connections") == 0, Duration.ofSeconds(30),
                "every connection of the test released");
    }

    @Test
    void connectionsResetRightAfterTheUpgradeLeaveNoGhostBehind() {
        ServerStatus status = new ServerStatus(base);
        int before = status.read().getInt("connections");
        for (int i = 0; i < GHOSTS; i++) {
            StormClient.connect(Deployments.chat(base, "name=ghost-" + i)).reset();
        }
        status.await(s -> s.getInt("connections") == before, Duration.ofSeconds(2),
                "every reset connection released at once");
        try (TestClient witness = TestClient.connect(Deployments.chat(base, "name=witness"), "chat")) {
            witness.expect("welcome");
            JsonObject joined = witness.expect("joined");
            assertTrue(joined.getJsonArray("members").getValuesAs(jakarta.json.JsonString.class).stream()
                            .noneMatch(m -> m.getString().startsWith("ghost-")),
                    "no reset connection is still a member of the default room: " + joined.getJsonArray("members"));
        }
    }

    @Test
    void aSlowConsumerThatResumesReadingRightAfterItWasDroppedStillGetsItsCloseCode() throws Exception {
        ServerStatus status = new ServerStatus(base);
        String text = "w".repeat(3900);
        List<TestClient> writers = new ArrayList<>();
        try (TestClient slow = TestClient.inRoom(base, "rs-slow", "resume")) {
            for (int w = 0; w < 8; w++) {
                TestClient writer = TestClient.inRoom(base, "rs-w" + w, "resume");
                writer.ignore(f -> !"ack".equals(f.getString("type", null)));
                writers.add(writer);
            }
            int connected = status.read().getInt("connections");
            slow.pauseReading();
            AtomicBoolean dropped = new AtomicBoolean();
            List<CompletableFuture<Void>> sending = new ArrayList<>();
            for (int w = 0; w < writers.size(); w++) {
                TestClient writer = writers.get(w);
                String prefix = "w" + w + "-";
                // each writer sends its next message once the last one is acknowledged: the readers keep up
                sending.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 5000 && !dropped.get(); i++) {
                        String ref = prefix + i;
                        writer.send("{\"type\":\"message\",\"room\":\"resume\",\"text\":\"" + text + "\",\"ref\":\"" + ref + "\"}");
                        writer.await(f -> ref.equals(f.getString("ref", null)), Duration.ofSeconds(30), null);
                    }
                }));
            }
            // the server drops the reader that stopped (it forgets the connection) ...
            status.await(s -> s.getInt("connections") < connected, Duration.ofSeconds(120), "the slow reader dropped");
            dropped.set(true);
            // ... and it reads again at once: it gets what was handed to its socket, then the close frame
            slow.resumeReading();
            TestClient.Closed closed = slow.awaitClose(Duration.ofSeconds(30));
            assertEquals(4008, closed.code(), "close code seen by a slow consumer that resumed: " + closed);
            assertEquals("slow consumer", closed.reason());
            CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new)).get();
            for (TestClient writer : writers) {
                assertTrue(!writer.isClosed(), "the writers, who read, were not dropped");
            }
        } finally {
            writers.forEach(TestClient::close);
        }
    }

    /** CLIENTS clients, each in the default room and every shared room. */
    private List<StormClient> crowd(ExecutorService pool, int round) throws Exception {
        List<Future<StormClient>> joining = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            String name = "r" + round + "-c" + i;
            joining.add(pool.submit(() -> {
                StormClient c = StormClient.connect(Deployments.chat(base, "name=" + name));
                for (String room : SHARED) {
                    c.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
                }
                return c;
            }));
        }
        List<StormClient> crowd = new ArrayList<>();
        for (Future<StormClient> f : joining) {
            crowd.add(f.get());
        }
        for (StormClient c : crowd) {
            assertTrue(c.awaitJoined(1 + SHARED.size(), Duration.ofSeconds(120)), "round " + round + ": a client of the crowd joined every room");
        }
        return crowd;
    }

    /** Sends messages to the room, each after the previous one's ack, until told to stop (or 60 s). */
    private static Runnable sendUntilStopped(TestClient sender, String room, int round, AtomicBoolean flowing,
                                             AtomicInteger acked, CountDownLatch started) {
        return () -> {
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            for (int i = 0; flowing.get() && System.nanoTime() < end; i++) {
                String ref = "r" + round + "-" + i;
                sender.send("{\"type\":\"message\",\"room\":\"" + room + "\",\"text\":\"storm " + i + "\",\"ref\":\"" + ref + "\"}");
                sender.await(f -> ref.equals(f.getString("ref", null)), Duration.ofSeconds(30), null);
                acked.incrementAndGet();
                started.countDown();
            }
        };
    }

    private void newcomerChatsWithinASecond(int round) {
        long deadline = System.nanoTime() + NEWCOMER_BUDGET.toNanos();
        try (TestClient newcomer = TestClient.connect(Deployments.chat(base, "name=newcomer-" + round), "chat")) {
            newcomer.await(f -> "joined".equals(f.getString("type", null)), left(deadline), null);
            newcomer.send("{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"still here\",\"ref\":\"n" + round + "\"}");
            newcomer.await(f -> "ack".equals(f.getString("type", null)), left(deadline), null);
        }
    }

    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
    }
}
