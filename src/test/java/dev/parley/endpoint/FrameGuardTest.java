package dev.parley.endpoint;

import dev.parley.protocol.CloseCodes;
import dev.parley.testing.WireFrames;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameGuardTest {

    private static final int LIMIT = 100;

    /** The bytes of one client frame claiming {@code claimed} bytes, then {@code payload} bytes of 'x'. */
    private static byte[] frame(boolean fin, int opcode, long claimed, int payload, boolean masked) {
        return WireFrames.claiming(fin, opcode, claimed, payload, masked);
    }

    private static byte[] frame(boolean fin, int opcode, int length) {
        return frame(fin, opcode, length, length, true);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        return all.toByteArray();
    }

    /** Feeds {@code bytes} in chunks of {@code chunk} bytes and returns the violation found, or null. */
    private static FrameGuard.Violation feed(FrameGuard guard, byte[] bytes, int chunk) {
        FrameGuard.Violation v = null;
        for (int i = 0; i < bytes.length; i += chunk) {
            v = guard.scan(bytes, i, Math.min(chunk, bytes.length - i));
        }
        return v;
    }

    @Test
    void framesAndFragmentedMessagesUpToTheLimitPassInAnyChunking() {
        byte[] stream = concat(frame(true, 1, LIMIT), frame(true, 9, 4), frame(false, 1, 60), frame(true, 10, 0),
                frame(true, 0, 40), frame(true, 1, 0), frame(false, 2, 50), frame(true, 0, 50), frame(true, 8, 2));
        for (int chunk : new int[]{1, 2, 3, 7, 64, stream.length}) {
            FrameGuard guard = new FrameGuard(LIMIT);
            assertNull(feed(guard, stream, chunk), "chunks of " + chunk);
            assertTrue(guard.peerClosed(), "the close frame was seen");
        }
    }

    @Test
    void aFrameOverTheLimitIsRefusedFromItsHeaderAlone() {
        for (long claimed : new long[]{LIMIT + 1, 70_000, 100L * 1024 * 1024, Long.MAX_VALUE, -1}) {
            FrameGuard guard = new FrameGuard(LIMIT);
            byte[] header = frame(true, 1, claimed, 0, true);
            // Only the length is needed: the mask bytes and the payload have not arrived.
            assertEquals(new FrameGuard.Violation(CloseCodes.TOO_BIG, "frame too big"),
                    guard.scan(header, 0, header.length - 4), "claims " + claimed);
        }
    }

    @Test
    void aFragmentedMessageOverTheLimitIsRefusedAtTheFragmentThatCrossesIt() {
        FrameGuard guard = new FrameGuard(LIMIT);
        assertNull(feed(guard, concat(frame(false, 1, 60), frame(false, 0, 40)), 5));
        byte[] crossing = frame(true, 0, 1);
        assertEquals(CloseCodes.TOO_BIG, guard.scan(crossing, 0, 2).code());
    }

    @Test
    void controlFramesBetweenFragmentsDoNotCountAndANewMessageStartsAtZero() {
        FrameGuard guard = new FrameGuard(LIMIT);
        assertNull(feed(guard, concat(frame(false, 1, 90), frame(true, 9, 100), frame(true, 0, 10),
                frame(true, 1, 90), frame(true, 1, 100)), 11));
    }

    @Test
    void anUnmaskedFrameIsAProtocolError() {
        FrameGuard guard = new FrameGuard(LIMIT);
        byte[] bare = frame(true, 1, 5, 5, false);
        assertEquals(new FrameGuard.Violation(CloseCodes.PROTOCOL_ERROR, "unmasked frame"), guard.scan(bare, 0, 2));
    }

    @Test
    void theCloserRunsOnceWhenBothAViolationAndACloserAreThere() {
        List<Integer> codes = new ArrayList<>();
        FrameGuard early = new FrameGuard(LIMIT);
        early.closeWith((code, reason) -> codes.add(code));
        early.fire();
        assertEquals(List.of(), codes, "no violation yet");
        byte[] big = frame(true, 1, 1000, 0, true);
        early.scan(big, 0, big.length);
        early.fire();
        early.fire();
        assertEquals(List.of(CloseCodes.TOO_BIG), codes);

        FrameGuard late = new FrameGuard(LIMIT);
        late.scan(big, 0, big.length);
        late.fire();
        late.closeWith((code, reason) -> codes.add(code));
        assertEquals(List.of(CloseCodes.TOO_BIG, CloseCodes.TOO_BIG), codes, "a closer set after the violation closes at once");
    }

    @Test
    void afterAViolationTheClientsCloseFrameIsStillSeen() {
        FrameGuard guard = new FrameGuard(LIMIT);
        feed(guard, concat(frame(true, 1, 200), frame(true, 8, 2)), 13);
        assertEquals(CloseCodes.TOO_BIG, guard.violation().code());
        assertTrue(guard.peerClosed());
        FrameGuard open = new FrameGuard(LIMIT);
        feed(open, frame(true, 1, 200), 13);
        assertFalse(open.peerClosed());
    }
}
