package dev.parley.message;

import java.time.Instant;
import java.util.Objects;

/**
 * A message stored in a room's history. {@code seq} is unique and strictly increasing per room;
 * {@code ref} is the sender's idempotency key and may be null.
 */
public record RoomMessage(String room, long seq, String from, String text, Instant ts, String ref) implements StoredMessage {
    public RoomMessage {
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(ts, "ts");
    }
}
