package dev.parley.history;

import dev.parley.message.ConversationId;

/**
 * One of a user's conversations as stored: {@code newest} is the conversation's newest seq (0 without messages),
 * {@code read} the user's read seq (0: nothing read). Unread messages: {@code newest - read}.
 */
public record Conversation(ConversationId id, long newest, long read) {
}
