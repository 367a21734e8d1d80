package dev.parley.message;

import java.time.Instant;
import java.util.Objects;

/**
 * A message stored in a room's history. {@code seq} is unique and strictly increasing per room;
 * {@code ref} is the sender's idempotency key and may be null. {@code text} is never null (empty for a
 * message that carries only {@code data}); {@code data}, the application's JSON object, may be null.
 */
public record RoomMessage(String room, long seq, String from, String text, Instant ts, String ref, Payload data)
        implements StoredMessage {
    public RoomMessage {
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(ts, "ts");
    }

    /** A text message without data. */
    public RoomMessage(String room, long seq, String from, String text, Instant ts, String ref) {
        this(room, seq, from, text, ts, ref, null);
    }
}
