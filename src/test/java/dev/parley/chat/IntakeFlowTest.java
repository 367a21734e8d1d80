package dev.parley.chat;

import dev.parley.config.Settings;
import dev.parley.metrics.Meters;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.FrameRejected;
import dev.parley.security.SecuritySettings;
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
 * The whole path of a sender's messages through the real services: each holds the sender's intake window until
 * the room's reader has it written out, and the sender's wait ends when the reader's writes catch up; a reader
 * that stopped reading holds the sender for at most the lag bound and is then closed as a slow consumer. Direct
 * messages are paced the same way, by their recipient's connections (and the sender's own tabs, which get a copy).
 */
@Timeout(30)
class IntakeFlowTest {

    private static final String TEXT = "t".repeat(4000);
    private InMemoryServer server;

    private InMemoryServer server(Duration maxLag) {
        return server(maxLag, 1_000_000);
    }

    private InMemoryServer server(Duration maxLag, long hardMaxBytes) {
        Settings d = Settings.defaults();
        // outbound queues of 20,000 bytes: a sender's window is 10,000 bytes, under three such messages
        Settings s = new Settings(d.defaultRoom(), d.maxTextChars(), d.maxFrameBytes(), 20_000, Duration.ofMillis(100),
                d.typingInterval(), d.joinHistory(), d.recoveryLimit(), d.idempotencyWindow(), d.sequencerCapacity(),
                d.sequencerBatch(), d.memoryRetained(), maxLag, hardMaxBytes);
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
    void aSendersMessagesCountUntilTheReaderHasThemWrittenOutAndItsWaitEndsThen() throws Exception {
        InMemoryServer server = server(Duration.ofSeconds(30));
        InMemoryServer.Connection reader = server.connect(Map.of(), List.of("chat"));
        InMemoryServer.Connection sender = server.connect(Map.of(), List.of("chat"));
        reader.transport().manual(); // from now on the reader's frames are written only when the test says so
        for (int i = 0; i < 3; i++) {
            post(sender, "m" + i);
        }
        server.flush();
        long window = sender.peer().intake().limitBytes();
        assertTrue(sender.peer().intake().outstandingBytes() > window,
                "three messages wait for the reader: " + sender.peer().intake().outstandingBytes());

        CompletableFuture<Void> waiting = CompletableFuture.runAsync(sender.peer()::awaitIntake);
        assertThrows(TimeoutException.class, () -> waiting.get(300, TimeUnit.MILLISECONDS), "the sender waits");
        while (reader.transport().completeNext(null)) {
            // the reader reads: each write done lets go of a message
        }
        waiting.get(5, TimeUnit.SECONDS);
        assertEquals(0, sender.peer().intake().outstandingBytes());
        assertFalse(reader.peer().isClosed());
        assertEquals(3, reader.transport().sent().stream().filter(f -> f.contains("\"type\":\"message\"")).count());
        assertEquals(1, server.meters.value(Meters.Count.INTAKE_WAITS), "the wait was counted");
        assertTrue(server.meters.value(Meters.Count.INTAKE_WAIT_MILLIS) >= 300, "with its time");
    }

    @Test
    void aReaderThatStoppedReadingHoldsTheSenderForAtMostTheLagBoundAndIsThenClosed() throws Exception {
        InMemoryServer server = server(Duration.ofMillis(200));
        InMemoryServer.Connection stalled = server.connect(Map.of(), List.of("chat"));
        InMemoryServer.Connection reader = server.connect(Map.of(), List.of("chat"));
        InMemoryServer.Connection sender = server.connect(Map.of(), List.of("chat"));
        stalled.transport().stall();
        int sent = 0;
        long start = System.nanoTime();
        while (!stalled.peer().isClosed() && sent < 200) {
            post(sender, "s" + sent++);
            server.flush();
            sender.peer().awaitIntake(); // as the endpoint does before the next frame
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(stalled.peer().isClosed(), "the reader that stopped was closed as a slow consumer");
        // its close frame follows once the close grace (100 ms here) ends the wait for the frame it never took
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (stalled.transport().closeCode() == null && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(4008, stalled.transport().closeCode());
        assertTrue(millis < 5_000, "the sender was held for " + millis + " ms");
        assertFalse(reader.peer().isClosed());
        assertFalse(sender.peer().isClosed());
        assertEquals(sent, reader.transport().sent().stream().filter(f -> f.contains("\"type\":\"message\"")).count(),
                "the reader got every message");
    }

    @Test
    void aSendersDirectMessagesCountUntilTheRecipientHasThemWrittenOutAndItsWaitEndsThen() throws Exception {
        InMemoryServer server = server(Duration.ofSeconds(30));
        InMemoryServer.Connection reader = server.connect(Map.of("name", List.of("reader")), List.of("chat"));
        InMemoryServer.Connection sender = server.connect(Map.of("name", List.of("sender")), List.of("chat"));
        InMemoryServer.drained(reader);
        reader.transport().manual(); // from now on the reader's frames are written only when the test says so
        for (int i = 0; i < 3; i++) {
            direct(sender, "reader", "d" + i);
        }
        server.flush();
        long window = sender.peer().intake().limitBytes();
        assertTrue(sender.peer().intake().outstandingBytes() > window,
                "three direct messages wait for the reader: " + sender.peer().intake().outstandingBytes());

        CompletableFuture<Void> waiting = CompletableFuture.runAsync(sender.peer()::awaitIntake);
        assertThrows(TimeoutException.class, () -> waiting.get(300, TimeUnit.MILLISECONDS), "the sender waits");
        while (reader.transport().completeNext(null)) {
            // the reader reads: each write done lets go of a message
        }
        waiting.get(5, TimeUnit.SECONDS);
        assertEquals(0, sender.peer().intake().outstandingBytes());
        assertFalse(reader.peer().isClosed());
        assertEquals(3, reader.transport().sent().stream().filter(f -> f.contains("\"type\":\"direct\"")).count());
    }

    @Test
    void aFloodOfDirectMessagesToAReaderThatReadsIsPacedAndNeverClosesIt() throws Exception {
        // outbound queues may hold 30,000 bytes however fast the reader reads: 40 messages of 4,000 characters are more
        InMemoryServer server = server(Duration.ofSeconds(30), 30_000);
        InMemoryServer.Connection reader = server.connect(Map.of("name", List.of("reader")), List.of("chat"));
        InMemoryServer.Connection sender = server.connect(Map.of("name", List.of("sender")), List.of("chat"));
        InMemoryServer.drained(reader);
        reader.transport().manual();
        int count = 40;
        CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < count && !reader.peer().isClosed(); i++) {
                try {
                    direct(sender, "reader", "f" + i);
                } catch (FrameRejected e) {
                    throw new IllegalStateException(e);
                }
                sender.peer().awaitIntake(); // as the endpoint does before the next frame
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long mostQueued = 0;
        // The reader reads: it takes whatever was written to it, one frame at a time, until the flood is over.
        while (!flood.isDone() || reader.transport().completeNext(null)) {
            mostQueued = Math.max(mostQueued, reader.peer().queuedBytes());
            if (!reader.transport().completeNext(null)) {
                Thread.onSpinWait();
            }
            assertTrue(System.nanoTime() < deadline, "the flood did not end within 20 s");
        }
        flood.get(5, TimeUnit.SECONDS);
        server.flush();
        while (reader.transport().completeNext(null)) {
            // the last ones
        }
        assertFalse(reader.peer().isClosed(), "the reader that reads was closed: " + reader.transport().closes());
        assertEquals(count, reader.transport().sent().stream().filter(f -> f.contains("\"type\":\"direct\"")).count(),
                "the reader got every direct message");
        assertTrue(mostQueued <= 20_000, "at most about a window waited for the reader: " + mostQueued);
    }

    private void direct(InMemoryServer.Connection c, String to, String ref) throws FrameRejected {
        server.router.handle(c.peer(), FrameCodec.shared().decode(
                "{\"type\":\"direct\",\"to\":\"" + to + "\",\"text\":\"" + TEXT + "\",\"ref\":\"" + ref + "\"}"));
    }

    private void post(InMemoryServer.Connection c, String ref) throws FrameRejected {
        server.router.handle(c.peer(), FrameCodec.shared().decode(
                "{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"" + TEXT + "\",\"ref\":\"" + ref + "\"}"));
    }
}
