package dev.parley.session;

import java.util.List;
import java.util.function.Consumer;

/**
 * The socket under one connection, as the {@link Outbox} sees it. Implemented over a WebSocket session
 * by the endpoint package; tests implement it in memory.
 */
public interface Transport {

    /**
     * Starts sending one text frame and returns without waiting. {@code done} is called exactly once,
     * with null on success or the failure, possibly on the calling thread before this method returns.
     * Callers never start a second send before {@code done} of the first was called.
     */
    void sendText(String text, Consumer<Throwable> done);

    /**
     * As {@link #sendText}, for a frame encoded once for many connections: a transport that can write the frame's
     * prepared bytes ({@link EncodedFrame#wire()}) does, so a broadcast is framed once, not once per recipient.
     */
    default void send(EncodedFrame frame, Consumer<Throwable> done) {
        sendText(frame.text(), done);
    }

    /**
     * The most bytes of frames this transport writes at once with {@link #send(List, Consumer)}; 0 (the default):
     * it writes one frame at a time.
     */
    default int batchBytes() {
        return 0;
    }

    /**
     * Sends several frames, in order, as one write; {@code done} is called once, when all were written or the write
     * failed. Only called when {@link #batchBytes} is positive, with at most that many bytes of frames.
     */
    default void send(List<EncodedFrame> frames, Consumer<Throwable> done) {
        throw new UnsupportedOperationException("this transport writes one frame at a time");
    }

    /** Closes the connection with a close code and short reason. May block briefly; never throws. */
    void close(int code, String reason);

    /** Sends an empty WebSocket ping (the client's pong proves it is alive). Never throws. */
    default void ping() {
        ping(new byte[0]);
    }

    /**
     * Sends a WebSocket ping with this payload (at most 125 bytes), after every frame already handed to the
     * socket; the client answers with a pong carrying the same payload once it has read them. Returns false
     * when no ping was sent (the socket is gone, or transports without control frames, such as in-memory
     * ones in tests, which leave this as it is). Never throws.
     */
    default boolean ping(byte[] payload) {
        return false;
    }
}
