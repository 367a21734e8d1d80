package dev.parley.session;

import dev.parley.protocol.ServerFrame;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A close waits for the frame in flight, so the close frame is what the client reads next; forceClose does not wait. */
class PeerCloseTest {

    /** A transport whose sends complete only when the test says so. */
    private static final class HeldTransport implements Transport {
        final List<Consumer<Throwable>> inFlight = new ArrayList<>();
        final List<String> closes = new ArrayList<>();

        @Override
        public void sendText(String text, Consumer<Throwable> done) {
            inFlight.add(done);
        }

        @Override
        public void close(int code, String reason) {
            closes.add(code + " " + reason);
        }
    }

    @Test
    void theCloseFollowsTheFrameInFlight() {
        HeldTransport t = new HeldTransport();
        Peer peer = new Peer("p1", "u", "a", t, 1 << 20, Runnable::run);
        peer.send(new ServerFrame.Pong("1"));
        peer.send(new ServerFrame.Pong("2")); // queued behind the first; dropped by the close
        peer.close(4008, "slow consumer");
        assertTrue(t.closes.isEmpty(), "closed while a frame was still being written");
        t.inFlight.get(0).accept(null);
        assertEquals(List.of("4008 slow consumer"), t.closes);
        assertEquals(1, t.inFlight.size(), "the queued frame was sent after the close");
    }

    @Test
    void aFailedSendInFlightAlsoLetsTheCloseGo() {
        HeldTransport t = new HeldTransport();
        Peer peer = new Peer("p1", "u", "a", t, 1 << 20, Runnable::run);
        peer.send(new ServerFrame.Pong("1"));
        peer.close(4429, "too many messages");
        t.inFlight.get(0).accept(new java.io.IOException("reset"));
        assertEquals(List.of("4429 too many messages"), t.closes);
    }

    @Test
    void anIdlePeerClosesAtOnceAndForceCloseDoesNotWait() {
        HeldTransport idle = new HeldTransport();
        new Peer("p1", "u", "a", idle, 1 << 20, Runnable::run).close(4408, "idle timeout");
        assertEquals(List.of("4408 idle timeout"), idle.closes);

        HeldTransport stuck = new HeldTransport();
        Peer peer = new Peer("p2", "u", "a", stuck, 1 << 20, Runnable::run);
        peer.send(new ServerFrame.Pong("1"));
        peer.close(4008, "slow consumer");
        peer.forceClose();
        peer.forceClose();
        assertEquals(List.of("4008 slow consumer"), stuck.closes);
        stuck.inFlight.get(0).accept(null); // completing later closes nothing twice
        assertEquals(1, stuck.closes.size());
    }
}
