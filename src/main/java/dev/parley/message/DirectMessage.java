package dev.parley.message;

import java.time.Instant;
import java.util.Objects;

/**
 * A direct message from one user to another. {@code id} is unique per store and increases in the
 * order messages were accepted; {@code ref} is the sender's idempotency key and may be null.
 */
public record DirectMessage(long id, String from, String to, String text, Instant ts, String ref) implements StoredMessage {
    public DirectMessage {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(ts, "ts");
    }
}
