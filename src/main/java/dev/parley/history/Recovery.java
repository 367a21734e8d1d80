package dev.parley.history;

import dev.parley.message.RoomMessage;

import java.util.List;

/**
 * Messages a client missed: those with seq greater than what it asked for, oldest first.
 * When more were missed than fit, {@code messages} holds the newest ones and {@code truncated} is true;
 * the client pages back through the rest with {@code history} and {@code before}. {@code head} is the
 * room's newest seq when the answer was read (0 for a room without messages).
 */
public record Recovery(List<RoomMessage> messages, boolean truncated, long head) {
    public Recovery {
        messages = List.copyOf(messages);
    }
}
