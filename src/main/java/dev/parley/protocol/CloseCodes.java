package dev.parley.protocol;

/**
 * Every close code Parley sends, in one place, with whether a client should reconnect.
 * Codes 1000-1011 are RFC 6455's; 4000-4999 is the application range, reserved here for Parley.
 * The HTTP-like numbers (4401, 4403, 4408, 4429) mirror the HTTP status a reader would guess.
 */
public final class CloseCodes {

    /** 1000: normal closure, asked for by either side. Do not reconnect. */
    public static final int NORMAL = 1000;
    /** 1001: the server is shutting down or the application is being undeployed. Reconnect with backoff. */
    public static final int GOING_AWAY = 1001;
    /**
     * 1002: protocol error, such as an unmasked client frame (RFC 6455 section 5.1) or a broken fragment sequence.
     * Do not reconnect with the same client.
     */
    public static final int PROTOCOL_ERROR = 1002;
    /** 1003: the client sent a binary frame; Parley speaks text (JSON) only. Do not reconnect with the same client. */
    public static final int UNSUPPORTED_DATA = 1003;
    /** 1007: a text frame was not valid UTF-8 (sent by the WebSocket runtime itself). Do not reconnect. */
    public static final int INVALID_PAYLOAD = 1007;
    /** 1008: the connection broke a rule at open, such as an invalid user name. Do not reconnect unchanged. */
    public static final int POLICY_VIOLATION = 1008;
    /** 1009: a frame was larger than the configured maximum (64 KiB by default). Do not resend it. */
    public static final int TOO_BIG = 1009;
    /** 1011: an unexpected server error made the connection unusable. Reconnect with backoff. */
    public static final int INTERNAL_ERROR = 1011;

    /** 4008: slow consumer, the connection's outbound queue overflowed. Reconnect with backoff (and recover with since). */
    public static final int SLOW_CONSUMER = 4008;
    /** 4401: unauthorized, the token is missing, invalid or expired. Reconnect only with a new token. */
    public static final int UNAUTHORIZED = 4401;
    /** 4403: forbidden, the user may never do what was attempted. Never reconnect. */
    public static final int FORBIDDEN = 4403;
    /** 4408: idle timeout, nothing was heard from the peer (not even a pong) for too long. Reconnect with backoff. */
    public static final int IDLE_TIMEOUT = 4408;
    /** 4429: too many connections or messages. Reconnect after a longer delay. */
    public static final int TOO_MANY = 4429;

    private CloseCodes() {
    }

    /** Whether a client should try to reconnect (with backoff) after the server closed with {@code code}. */
    public static boolean shouldReconnect(int code) {
        return switch (code) {
            case GOING_AWAY, INTERNAL_ERROR, 1006, 1012, 1013, SLOW_CONSUMER, IDLE_TIMEOUT, TOO_MANY -> true;
            default -> false;
        };
    }
}
