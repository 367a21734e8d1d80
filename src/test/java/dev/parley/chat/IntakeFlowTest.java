package dev.parley.chat;

import dev.parley.config.Settings;
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
 * that stopped reading holds the sender for at most the lag bound and is then closed as a slow consumer.
 */
@Timeout(30)
class IntakeFlowTest {

    private static final String TEXT = "t".repeat(4000);
    private InMemoryServer server;

    private InMemoryServer server(Duration maxLag) {
        Settings d = Settings.defaults();
        // outbound queues of 20,000 bytes: a sender's window is 10,000 bytes, under three such messages
        Settings s = new Settings(d.defaultRoom(), d.maxTextChars(), d.maxFrameBytes(), 20_000, Duration.ofMillis(100),
                d.typingInterval(), d.joinHistory(), d.recoveryLimit(), d.idempotencyWindow(), d.sequencerCapacity(),
                d.sequencerBatch(), d.memoryRetained(), maxLag, 1_000_000);
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

    private void post(InMemoryServer.Connection c, String ref) throws FrameRejected {
        server.router.handle(c.peer(), FrameCodec.shared().decode(
                "{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"" + TEXT + "\",\"ref\":\"" + ref + "\"}"));
    }
}
