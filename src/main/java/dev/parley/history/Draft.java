package dev.parley.history;

import dev.parley.message.Payload;

import java.time.Instant;

/** A message on its way into the store: everything but the sequence number or id the store assigns. */
public sealed interface Draft {

    /** The sender. */
    String from();

    /** The sender's idempotency key, or null. */
    String ref();

    /** When the server accepted it. */
    Instant ts();

    /** A message for a room; {@code data} (the application's JSON object) may be null. */
    record ToRoom(String room, String from, String text, String ref, Instant ts, Payload data) implements Draft {

        /** A text message without data. */
        public ToRoom(String room, String from, String text, String ref, Instant ts) {
            this(room, from, text, ref, ts, null);
        }
    }

    /**
     * A direct message for one user. {@code held} is decided by the {@link Sequencer} just before storing:
     * true when the recipient cannot be reached now, so the message waits for their next connection.
     * {@code data} (the application's JSON object) may be null.
     */
    record ToUser(String to, String from, String text, String ref, Instant ts, boolean held, Payload data) implements Draft {

        /** A direct message as a service submits it (whether it is held is the sequencer's call). */
        public ToUser(String to, String from, String text, String ref, Instant ts, Payload data) {
            this(to, from, text, ref, ts, false, data);
        }

        /** A text message without data, as a service submits it. */
        public ToUser(String to, String from, String text, String ref, Instant ts) {
            this(to, from, text, ref, ts, false, null);
        }

        /** The same message, held or not. */
        public ToUser held(boolean value) {
            return value == held ? this : new ToUser(to, from, text, ref, ts, value, data);
        }
    }
}
