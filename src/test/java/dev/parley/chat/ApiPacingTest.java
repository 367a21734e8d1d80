package dev.parley.chat;

import dev.parley.config.Settings;
import dev.parley.metrics.Meters;
import dev.parley.protocol.FrameCodec;
import dev.parley.security.SecuritySettings;
import dev.parley.session.IntakeWindow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backend's publishes (the HTTP API's path: {@link IntakePacing} admits, the room or direct service publishes with
 * the receipt) are paced by the readers they are for: a backend faster than a room's reader is slowed to its pace and
 * never gets a reader that reads closed; when it cannot wait, it is refused ({@link ReadersBehind}, the API's 503)
 * with nothing stored.
 */
@Timeout(30)
class ApiPacingTest {

    private static final String TEXT = "t".repeat(4000);
    private InMemoryServer server;

    /** Outbound queues of 20,000 bytes (30,000 however fast the reader reads); windows of 10,000 bytes. */
    private InMemoryServer server(int waiters) {
        Settings d = Settings.defaults();
        Settings s = new Settings(d.defaultRoom(), d.maxTextChars(), d.maxFrameBytes(), 20_000, Duration.ofMillis(100),
                d.typingInterval(), d.joinHistory(), d.recoveryLimit(), d.idempotencyWindow(), d.sequencerCapacity(),
                d.sequencerBatch(), d.memoryRetained(), Duration.ofSeconds(30), 30_000, 0, waiters);
        server = new InMemoryServer(s, SecuritySettings.defaults());
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aBackendPublishingFasterThanARoomsReaderReadsIsSlowedAndTheReaderIsNeverClosed() throws Exception {
        InMemoryServer server = server(32);
        InMemoryServer.Connection reader = server.connect(Map.of("name", List.of("reader")), List.of("chat"));
        InMemoryServer.drained(reader);
        reader.transport().manual();
        int count = 20;
        CompletableFuture<Void> backend = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < count; i++) {
                IntakeWindow.Receipt receipt = server.pacing.admitToRoom("lobby", TEXT, null);
                server.connections.rooms.publish("lobby", "api", TEXT, null, "p" + i, receipt).join();
            }
        });
        int mostQueued = readUntilDone(reader, backend);
        assertFalse(reader.peer().isClosed(), "the reader that reads was closed: " + reader.transport().closes());
        assertEquals(count, reader.transport().sent().stream().filter(f -> f.contains("\"type\":\"message\"")).count(),
                "the reader got every message");
        assertTrue(mostQueued <= 20_000, "at most about a window waited for the reader: " + mostQueued);
        assertTrue(server.meters.value(Meters.Count.INTAKE_WAITS) > 0, "the backend waited");
        assertEquals(0, server.meters.value(Meters.Count.INTAKE_REFUSALS), "one backend alone is slowed, never refused");
    }

    @Test
    void aBackendSendingDirectMessagesFasterThanTheUserReadsIsSlowedAndTheUserIsNeverClosed() throws Exception {
        InMemoryServer server = server(32);
        InMemoryServer.Connection reader = server.connect(Map.of("name", List.of("reader")), List.of("chat"));
        InMemoryServer.drained(reader);
        reader.transport().manual();
        int count = 20;
        CompletableFuture<Void> backend = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < count; i++) {
                IntakeWindow.Receipt receipt = server.pacing.admitToUser("reader", TEXT, null);
                server.connections.directs.publish("reader", "api", TEXT, null, "d" + i, receipt).join();
            }
        });
        int mostQueued = readUntilDone(reader, backend);
        assertFalse(reader.peer().isClosed(), "the reader that reads was closed: " + reader.transport().closes());
        assertEquals(count, reader.transport().sent().stream().filter(f -> f.contains("\"type\":\"direct\"")).count());
        assertTrue(mostQueued <= 20_000, "at most about a window waited for the reader: " + mostQueued);
    }

    @Test
    void aPublishThatFindsTheReadersBehindAndNoWaiterFreeIsRefusedWithNothingStored() throws Exception {
        InMemoryServer server = server(1);
        InMemoryServer.Connection reader = server.connect(Map.of("name", List.of("reader")), List.of("chat"));
        InMemoryServer.Connection sender = server.connect(Map.of("name", List.of("sender")), List.of("chat"));
        InMemoryServer.drained(reader);
        InMemoryServer.drained(sender);
        reader.transport().manual();
        // A connection's sender waits for the reader, holding the one waiter permit.
        for (int i = 0; i < 3; i++) {
            server.router.handle(sender.peer(), FrameCodec.shared().decode(
                    "{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"" + TEXT + "\",\"ref\":\"m" + i + "\"}"));
        }
        server.flush();
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(sender.peer()::awaitIntake);
        assertThrows(TimeoutException.class, () -> waiting.get(300, TimeUnit.MILLISECONDS), "the sender waits");
        // The backend's publishes fill the room's API window, the next finds it over and no permit free.
        for (int i = 0; i < 3; i++) {
            server.connections.rooms.publish("lobby", "api", TEXT, null, "a" + i,
                    server.pacing.admitToRoom("lobby", TEXT, null)).get(5, TimeUnit.SECONDS);
        }
        ReadersBehind refused = assertThrows(ReadersBehind.class, () -> server.pacing.admitToRoom("lobby", TEXT, null));
        assertEquals(30, refused.retryAfterSeconds(), "retry after the lag bound: by then the readers took it or lag");
        assertEquals(1, server.meters.value(Meters.Count.INTAKE_REFUSALS));
        assertEquals(1, server.meters.value(Meters.Count.INTAKE_UNPACED));
        while (reader.transport().completeNext(null)) {
            // the reader reads again
        }
        waiting.get(5, TimeUnit.SECONDS);
        assertFalse(reader.peer().isClosed());
        assertEquals(6, reader.transport().sent().stream().filter(f -> f.contains("\"type\":\"message\"")).count(),
                "three from the sender, three from the backend, none of the refused one");
    }

    /**
     * Plays a reader that reads, in bursts: it lets the backend go as far as it can (up to 200 ms), then takes every
     * frame written to it so far, until the backend is done. Unpaced, the backend would queue all its messages in the
     * first burst. Returns the most bytes that waited for the reader.
     */
    private int readUntilDone(InMemoryServer.Connection reader, CompletableFuture<Void> until) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long mostQueued = 0;
        while (!until.isDone() && !reader.peer().isClosed()) {
            try {
                until.get(200, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillGoing) {
                // the backend waits for the reader, or is still publishing
            }
            mostQueued = Math.max(mostQueued, reader.peer().queuedBytes());
            while (reader.transport().completeNext(null)) {
                // the reader reads what it was sent
            }
            assertTrue(System.nanoTime() < deadline, "the backend did not finish within 20 s");
        }
        until.get(5, TimeUnit.SECONDS);
        server.flush();
        while (reader.transport().completeNext(null)) {
            // the last ones
        }
        return (int) mostQueued;
    }
}
