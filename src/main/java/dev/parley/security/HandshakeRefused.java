package dev.parley.security;

/** A connection that may not proceed: the close code and a short reason for the client (never a token). */
public class HandshakeRefused extends Exception {
    private static final long serialVersionUID = 1L;

    private final int code;

    public HandshakeRefused(int code, String reason) {
        super(reason, null, false, false);
        this.code = code;
    }

    /** The close code to send. */
    public int code() {
        return code;
    }
}
