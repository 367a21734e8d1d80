package dev.parley.session;

import dev.parley.protocol.CloseCodes;
import dev.parley.protocol.ServerFrame;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class PeerTest {

    private final List<Peer> released = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Peer peer(Transport t, long maxBytes, Duration grace) {
        return new Peer("id1", Identity.unverified("alice"), "127.0.0.1", new ConnectionGuard(Rates.UNLIMITED, System::nanoTime),
                t, maxBytes, grace, Runnable::run, Runnable::run, released::add);
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
        assertEquals(List.of(new FakeTransport.Close(CloseCodes.GOING_AWAY, "bye")), t.closes(), "only the first close counts");
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

    @Test
    void aServerCloseReleasesTheConnectionAtOnceAndOnlyOnce() {
        FakeTransport t = new FakeTransport().manual();
        Peer p = peer(t, 1000, Duration.ofMinutes(1));
        p.send(new ServerFrame.Pong("in flight"));
        p.close(CloseCodes.TOO_MANY, "too many messages");
        assertEquals(List.of(p), released, "released before the socket is closed");
        assertNull(t.closeCode());
        p.close(CloseCodes.GOING_AWAY, "again");
        assertEquals(1, released.size());
    }

    @Test
    void aFailedSendReleasesTheConnectionAndClosesWithoutWaiting() {
        FakeTransport t = new FakeTransport().manual();
        Peer p = peer(t, 1000, Duration.ofMinutes(1));
        p.send(new ServerFrame.Pong("1"));
        t.completeNext(new java.io.IOException("connection reset"));
        assertEquals(List.of(p), released);
        assertEquals(CloseCodes.GOING_AWAY, t.closeCode());
    }

    @Test
    void aConnectionTheContainerClosedIsNotReleasedAgainByTheServer() {
        FakeTransport t = new FakeTransport();
        Peer p = peer(t, 1000, Duration.ofMinutes(1));
        p.closed();
        p.close(CloseCodes.GOING_AWAY, "bye");
        assertEquals(List.of(), released, "the container's close callback releases it");
    }

    @Test
    void aSlowConsumersCloseFrameWaitsUntilTheClientHasReadWhatWasSentBeforeIt() {
        FakeTransport t = new FakeTransport().manual().pinging();
        Peer p = peer(t, 100, Duration.ofMinutes(1));
        for (int i = 0; i < 10; i++) {
            p.send(new ServerFrame.Pong("frame-" + i));
        }
        t.completeNext(null);
        assertEquals(1, t.pings().size(), "a ping follows the last frame handed to the socket");
        assertNull(t.closeCode(), "no close frame while the client has not read up to the ping");
        p.ponged(java.nio.ByteBuffer.wrap(new byte[0]));
        assertNull(t.closeCode(), "a heartbeat pong is not the answer to the drain ping");
        p.ponged(java.nio.ByteBuffer.wrap(t.pings().get(0)));
        assertEquals(CloseCodes.SLOW_CONSUMER, t.closeCode());
    }
}
