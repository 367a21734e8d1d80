package dev.parley.history;

import dev.parley.message.DirectMessage;

import java.util.List;

/**
 * The direct messages of one conversation a client missed, as {@link Recovery} for a room: seq above what it
 * asked for, oldest first, the newest ones and {@code truncated} when more were missed than fit; {@code head} is
 * the conversation's newest seq when read (0 without messages).
 */
public record DirectRecovery(List<DirectMessage> messages, boolean truncated, long head) {
    public DirectRecovery {
        messages = List.copyOf(messages);
    }
}
