package dev.parley.protocol;

import java.util.Locale;

/**
 * The {@code code} of an {@code error} frame. The connection always stays open after an error frame;
 * the wire name is the lower-case constant name.
 */
public enum ErrorCode {
    /** The frame started with '{' but was not one well-formed JSON object. */
    BAD_JSON,
    /** The frame's {@code type} is not one the server knows. */
    UNKNOWN_TYPE,
    /** A field is missing, has the wrong JSON type, or is out of range (bad names included). */
    INVALID,
    /** The frame names a room the connection has not joined. */
    NOT_MEMBER,
    /** A message text is longer than the configured limit. */
    TOO_LONG,
    /** The connection sends faster than its rate limit allows; the frame was dropped. */
    RATE_LIMITED,
    /** The user may not do this (for example join a private room). */
    FORBIDDEN,
    /** The room holds as many users as it may; try again later. */
    ROOM_FULL,
    /** The token in an {@code auth} frame was refused (invalid, expired, or for another user); the current one still holds until it expires. */
    UNAUTHORIZED,
    /** The server could not store the message right now (database down, server busy); retry later with the same ref. */
    UNAVAILABLE,
    /** An unexpected server-side failure while handling this frame; the frame was not acted upon. */
    INTERNAL;

    /** The code as it appears on the wire, for example {@code bad_json}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
