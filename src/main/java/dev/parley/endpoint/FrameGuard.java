package dev.parley.endpoint;

import dev.parley.protocol.CloseCodes;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads the frame headers of what one client sends, as the bytes arrive and before the WebSocket runtime buffers
 * them, and finds the first frame that breaks a rule the runtime does not enforce itself (Tyrus 2.1.5 reads a
 * frame whole, up to 4 MiB, before any size check, and accepts unmasked client frames):
 * <ul>
 *   <li>a data frame, or the message it belongs to, longer than the limit: {@link CloseCodes#TOO_BIG}, known from
 *       the header alone, so a header that claims a gigabyte costs nothing;</li>
 *   <li>a frame without a mask (RFC 6455 section 5.1): {@link CloseCodes#PROTOCOL_ERROR}.</li>
 * </ul>
 * Everything else (opcodes, control frame lengths, fragmentation order, UTF-8) is left to the runtime.
 * {@link #scan} is called by one reading thread at a time; {@link #closeWith} from any thread. Once it has found a
 * violation it goes on reading headers only to see the client's close frame.
 */
public final class FrameGuard {

    /** Closes the connection with a code and a reason; called at most once, on the reading thread. */
    @FunctionalInterface
    public interface Closer {
        /** Closes the connection with {@code code} and {@code reason}. */
        void close(int code, String reason);
    }

    /** A broken rule: the close code and reason the connection gets. */
    public record Violation(int code, String reason) {
    }

    static final String TOO_BIG_REASON = "frame too big";
    static final String UNMASKED_REASON = "unmasked frame";

    private static final int FIRST = 0;
    private static final int SECOND = 1;
    private static final int LENGTH = 2;
    private static final int MASK = 3;
    private static final int PAYLOAD = 4;

    private final long maxMessageBytes;

    private int state = FIRST;
    private int opcode;
    private boolean fin;
    private int lengthBytesLeft;
    private long length;
    private int maskBytesLeft;
    private long payloadLeft;
    private long messageBytes;

    private volatile Violation violation;
    private volatile boolean peerClosed;
    private final AtomicReference<Closer> closer = new AtomicReference<>();
    private final AtomicBoolean fired = new AtomicBoolean();

    /** A guard for one connection whose messages may be at most {@code maxMessageBytes} long. */
    public FrameGuard(long maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Reads the next {@code len} bytes of the client's stream and returns the first rule broken so far, or null.
     */
    public Violation scan(byte[] bytes, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end) {
            if (state == PAYLOAD) {
                long skip = Math.min(payloadLeft, end - i);
                i += (int) skip;
                payloadLeft -= skip;
                if (payloadLeft == 0) {
                    frameDone();
                }
                continue;
            }
            int b = bytes[i++] & 0xff;
            switch (state) {
                case FIRST -> {
                    fin = (b & 0x80) != 0;
                    opcode = b & 0x0f;
                    state = SECOND;
                }
                case SECOND -> {
                    if ((b & 0x80) == 0) {
                        broke(CloseCodes.PROTOCOL_ERROR, UNMASKED_REASON);
                    }
                    maskBytesLeft = (b & 0x80) != 0 ? 4 : 0;
                    int code = b & 0x7f;
                    if (code < 126) {
                        length = code;
                        lengthKnown();
                    } else {
                        length = 0;
                        lengthBytesLeft = code == 126 ? 2 : 8;
                        state = LENGTH;
                    }
                }
                case LENGTH -> {
                    length = (length << 8) | b;
                    if (--lengthBytesLeft == 0) {
                        lengthKnown();
                    }
                }
                case MASK -> {
                    if (--maskBytesLeft == 0) {
                        afterMask();
                    }
                }
                default -> throw new IllegalStateException("frame parser state " + state);
            }
        }
        return violation;
    }

    /** The first rule broken so far, or null. */
    public Violation violation() {
        return violation;
    }

    /** Whether the client has sent its close frame (or its stream ended): nothing more will come. */
    public boolean peerClosed() {
        return peerClosed;
    }

    /** The client's stream ended. */
    void endOfStream() {
        peerClosed = true;
    }

    /**
     * Closes the connection with {@code how} when a rule is broken, at once if one already was. Without a closer
     * the guard only reports ({@link #violation()}).
     */
    public void closeWith(Closer how) {
        closer.set(how);
        fire();
    }

    /** Hands a violation found to the closer, once; does nothing before there is both a violation and a closer. */
    void fire() {
        Violation v = violation;
        Closer c = closer.get();
        if (v != null && c != null && fired.compareAndSet(false, true)) {
            c.close(v.code(), v.reason());
        }
    }

    private void broke(int code, String reason) {
        if (violation == null) {
            violation = new Violation(code, reason);
        }
    }

    private void lengthKnown() {
        if (opcode < 8) { // a data frame: continuation (0), text (1), binary (2) or reserved
            // A 64-bit length with its top bit set reads as negative: longer than any limit.
            long total = opcode == 0 ? messageBytes + length : length;
            if (length < 0 || length > maxMessageBytes || total < 0 || total > maxMessageBytes) {
                broke(CloseCodes.TOO_BIG, TOO_BIG_REASON);
            }
            messageBytes = total;
        }
        state = MASK;
        if (maskBytesLeft == 0) {
            afterMask();
        }
    }

    private void afterMask() {
        payloadLeft = length;
        state = PAYLOAD;
        if (payloadLeft <= 0) {
            frameDone();
        }
    }

    private void frameDone() {
        if (opcode == 0x8) {
            peerClosed = true;
        }
        if (opcode < 8 && fin) {
            messageBytes = 0;
        }
        state = FIRST;
    }
}
