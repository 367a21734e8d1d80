package dev.parley.message;

import java.time.Instant;
import java.util.Objects;

/**
 * A direct message from one user to another. {@code id} is unique per store and increases in the
 * order messages were accepted; {@code seq} numbers the messages of this pair of users (their conversation)
 * 1, 2, 3, ... in the same order (0 for a message stored before conversations had seqs); {@code ref} is the sender's idempotency key and may be null. {@code text} is
 * never null (empty for a message that carries only {@code data}); {@code data} may be null.
 */
public record DirectMessage(long id, long seq, String from, String to, String text, Instant ts, String ref, Payload data)
        implements StoredMessage {
    public DirectMessage {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(ts, "ts");
    }

    /** A text message without data. */
    public DirectMessage(long id, long seq, String from, String to, String text, Instant ts, String ref) {
        this(id, seq, from, to, text, ts, ref, null);
    }

    /** The conversation this message belongs to, seen by {@code user} (its sender or its recipient). */
    public String partnerOf(String user) {
        return user.equals(from) ? to : from;
    }
}
