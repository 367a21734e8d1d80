package dev.parley.protocol;

import java.util.List;
import java.util.Locale;

/**
 * Every close code a Parley client sees, in one place, with what the client should do after it ({@link #all}).
 * This table is the one source of the reconnect rule: {@code GET /protocol.json} serves it, and a test holds
 * the JavaScript client's copy ({@code closePolicy} in parley.js) to it.
 * Codes 1000-1013 are RFC 6455's; 4000-4999 is the application range, reserved here for Parley.
 * The HTTP-like numbers (4401, 4403, 4408, 4429) mirror the HTTP status a reader would guess.
 */
public final class CloseCodes {

    /** What a client does after a close. */
    public enum Advice {
        /** Reconnect with the normal backoff. */
        RETRY,
        /** Reconnect after a longer backoff (the server asks clients to slow down). */
        SLOW,
        /** Reconnect only with fresh credentials (a new token). */
        REAUTH,
        /** Do not reconnect: the same connection would be refused again. */
        STOP;

        /** The advice as served and as parley.js names it, for example {@code retry}. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One close code: its number, a name, and what a client does after it. */
    public record Close(int code, String name, Advice advice) {
    }

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
    /** 1006: never sent; what a client reports when the connection broke without a close frame. Reconnect with backoff. */
    public static final int ABNORMAL = 1006;
    /** 1012: not sent by Parley; a proxy or server restarting. Reconnect with backoff. */
    public static final int SERVICE_RESTART = 1012;
    /** 1013: not sent by Parley; a proxy asking to try again later. Reconnect with backoff. */
    public static final int TRY_AGAIN_LATER = 1013;

    /**
     * 4000: disconnected by the server's operator or backend (the HTTP API's default). Do not reconnect on your own:
     * whoever disconnected the user meant it.
     */
    public static final int DISCONNECTED = 4000;
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

    private static final List<Close> ALL = List.of(
            new Close(NORMAL, "normal", Advice.STOP),
            new Close(GOING_AWAY, "going_away", Advice.RETRY),
            new Close(PROTOCOL_ERROR, "protocol_error", Advice.STOP),
            new Close(UNSUPPORTED_DATA, "unsupported_data", Advice.STOP),
            new Close(ABNORMAL, "abnormal", Advice.RETRY),
            new Close(INVALID_PAYLOAD, "invalid_payload", Advice.STOP),
            new Close(POLICY_VIOLATION, "policy_violation", Advice.STOP),
            new Close(TOO_BIG, "too_big", Advice.STOP),
            new Close(INTERNAL_ERROR, "internal_error", Advice.RETRY),
            new Close(SERVICE_RESTART, "service_restart", Advice.RETRY),
            new Close(TRY_AGAIN_LATER, "try_again_later", Advice.RETRY),
            new Close(DISCONNECTED, "disconnected", Advice.STOP),
            new Close(SLOW_CONSUMER, "slow_consumer", Advice.RETRY),
            new Close(UNAUTHORIZED, "unauthorized", Advice.REAUTH),
            new Close(FORBIDDEN, "forbidden", Advice.STOP),
            new Close(IDLE_TIMEOUT, "idle_timeout", Advice.RETRY),
            new Close(TOO_MANY, "too_many", Advice.SLOW));

    /** Every close code a client may see, in ascending order; never null. */
    public static List<Close> all() {
        return ALL;
    }

    /** What a client should do after the server closed with {@code code}; {@link Advice#STOP} for a code not listed. */
    public static Advice advice(int code) {
        return ALL.stream().filter(c -> c.code() == code).map(Close::advice).findFirst().orElse(Advice.STOP);
    }
}
