package dev.parley.session;

import dev.parley.protocol.CloseCodes;
import dev.parley.protocol.ServerFrame;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class PeerTest {

    private static Peer peer(FakeTransport t, long maxBytes, Duration grace) {
        return new Peer("id1", "alice", "127.0.0.1", t, maxBytes, grace, Runnable::run);
    }

    @Test
    void aCloseWaitsForTheFrameInFlightThenClosesOnce() {
        FakeTransport t = new FakeTransport().manual();
        Peer p = peer(t, 1000, Duration.ofMinutes(1));
        p.send(new ServerFrame.Pong("1"));
        p.send(new ServerFrame.Pong("2"));
        p.close(CloseCodes.GOING_AWAY, "bye");
        assertNull(t.closeCode(), "the first pong is still being written");
        t.completeNext(null);
        assertEquals(CloseCodes.GOING_AWAY, t.closeCode());
        p.close(CloseCodes.TOO_MANY, "again");
        assertEquals(CloseCodes.GOING_AWAY, t.closeCode(), "only the first close counts");
        assertEquals(List.of("{\"type\":\"pong\",\"ref\":\"1\"}"), t.sent(), "the second pong was dropped");
    }

    @Test
    void aClientThatNeverReadsIsClosedAfterTheGrace() throws InterruptedException {
        FakeTransport t = new FakeTransport().manual();
        Peer p = peer(t, 1000, Duration.ofMillis(50));
        p.send(new ServerFrame.Pong("stuck"));
        p.close(CloseCodes.IDLE_TIMEOUT, "idle timeout");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (t.closeCode() == null && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(CloseCodes.IDLE_TIMEOUT, t.closeCode());
    }

    @Test
    void overflowingTheQueueClosesWithSlowConsumer() {
        FakeTransport t = new FakeTransport().manual();
        Peer p = peer(t, 100, Duration.ofMinutes(1));
        for (int i = 0; i < 10; i++) {
            p.send(new ServerFrame.Pong("frame-" + i));
        }
        t.completeNext(null);
        assertEquals(CloseCodes.SLOW_CONSUMER, t.closeCode());
        assertEquals("slow consumer", t.closeReason());
    }
}
