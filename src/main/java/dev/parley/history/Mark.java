package dev.parley.history;

import dev.parley.message.ConversationId;

/**
 * A change to one user's conversations, stored through the {@link Sequencer} like messages (single writer,
 * group commit): remembering a room joined, forgetting a room left, and moving the read seq.
 */
public sealed interface Mark {

    /** The user whose conversations change. */
    String user();

    /** The user joined {@code room}: remembered, if new, with everything up to the room's newest seq read. */
    record Enter(String user, String room) implements Mark {
    }

    /** The user left {@code room} on purpose: forgotten, read state included. */
    record Forget(String user, String room) implements Mark {
    }

    /**
     * The user has read {@code conversation} up to {@code seq}: stored unless it is beyond the conversation's
     * newest seq, and only forwards (a lower seq changes nothing).
     */
    record Read(String user, ConversationId conversation, long seq) implements Mark {
    }
}
