package dev.parley.history;

import dev.parley.message.StoredMessage;

/**
 * What the store did with one draft: stored it, or found it already stored under the same
 * sender and ref ({@code duplicate}, in which case {@code message} is the original). {@code held} is true
 * for a direct message stored for later delivery (its recipient was not reachable): it must not be sent
 * to the recipient now, {@link MessageStore#releaseHeld} hands it out when the recipient connects.
 */
public record Appended(StoredMessage message, boolean duplicate, boolean held) {

    /** A result for a message that is delivered at once (not held). */
    public Appended(StoredMessage message, boolean duplicate) {
        this(message, duplicate, false);
    }
}
