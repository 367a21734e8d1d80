package dev.parley.session;

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

    /** Closes the connection with a close code and short reason. May block briefly; never throws. */
    void close(int code, String reason);

    /**
     * Sends a WebSocket ping (the client's pong proves it is alive). Never throws. Transports without
     * control frames (in-memory ones in tests) leave this as it is: nothing to send.
     */
    default void ping() {
    }
}
