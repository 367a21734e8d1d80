package dev.parley.history;

import java.time.Instant;

/** A message on its way into the store: everything but the sequence number or id the store assigns. */
public sealed interface Draft {

    /** The sender. */
    String from();

    /** The sender's idempotency key, or null. */
    String ref();

    /** A message for a room. */
    record ToRoom(String room, String from, String text, String ref, Instant ts) implements Draft {
    }

    /** A direct message for one user. */
    record ToUser(String to, String from, String text, String ref, Instant ts) implements Draft {
    }
}
