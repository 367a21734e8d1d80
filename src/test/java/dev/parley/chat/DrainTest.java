package dev.parley.chat;

import dev.parley.config.Settings;
import dev.parley.protocol.FrameCodec;
import dev.parley.security.SecuritySettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stop answers every message the server had received before it closes with 1001: stored is not enough, the
 * room's lane must also have queued the copies and the ack (seen on TomEE: the last of a burst lost its ack).
 */
@Timeout(30)
class DrainTest {

    private InMemoryServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aStopWaitsForTheAcksOfStoredMessagesStillOnTheirRoomsLane() throws Exception {
        // The rooms' lanes run only once the stop has begun and either closed the sender (as it did before the
        // fix, without waiting for the lanes) or waited a second for them: each message is stored, its delivery
        // and ack still in hand when the stop looks.
        AtomicReference<InMemoryServer.Connection> sender = new AtomicReference<>();
        AtomicReference<Drain> drain = new AtomicReference<>();
        Executor afterTheStopBegins = task -> new Thread(() -> {
            while (drain.get() == null || !drain.get().isDraining()) {
                Thread.onSpinWait();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (!sender.get().peer().isClosed() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            task.run();
        }, "lane-after-stop").start();
        server = new InMemoryServer(Settings.defaults(), SecuritySettings.defaults(), afterTheStopBegins);
        drain.set(server.drain);
        sender.set(server.connect(Map.of(), List.of("chat")));
        for (int i = 0; i < 5; i++) {
            server.router.handle(sender.get().peer(), FrameCodec.shared().decode(
                    "{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"last words\",\"ref\":\"b-" + i + "\"}"));
        }
        server.flush();

        server.drain.drain(Duration.ofSeconds(10));

        assertEquals(1001, sender.get().transport().closeCode());
        assertEquals(5, sender.get().transport().sent().stream().filter(f -> f.contains("\"type\":\"ack\"")).count(),
                () -> "every message got its ack before 1001: " + sender.get().transport().sent());
        assertTrue(sender.get().transport().sent().stream().noneMatch(f -> f.contains("\"type\":\"error\"")),
                () -> "no message was refused: " + sender.get().transport().sent());
    }
}
