package dev.parley.chat;

import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ServerFrame;

/**
 * A message a service would not accept because it breaks a rule (empty, too long, not allowed): carries the
 * error a WebSocket client would get for it, so other callers (the HTTP API) can answer the same way.
 */
public final class Refused extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient ServerFrame.Error error;

    public Refused(ServerFrame.Error error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    /** The error frame a client would get; never null. */
    public ServerFrame.Error error() {
        return error;
    }

    /** The error's code; never null. */
    public ErrorCode code() {
        return error.code();
    }
}
