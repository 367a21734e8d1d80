package dev.parley.security;

/**
 * A token that does not prove who the client is: missing, malformed, badly signed, expired, or lacking a
 * required claim. The message is safe to send to the client and to log: it never contains the token.
 */
public class TokenRejected extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean expired;

    public TokenRejected(String message, boolean expired) {
        super(message, null, false, false);
        this.expired = expired;
    }

    /** True when the token was valid but is past its {@code exp}. */
    public boolean expired() {
        return expired;
    }
}
