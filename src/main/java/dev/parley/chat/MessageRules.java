package dev.parley.chat;

import dev.parley.config.Settings;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ServerFrame;
import dev.parley.protocol.Text;

/** The rules every message text meets, room or direct: not blank, not longer than the configured limit. */
final class MessageRules {

    private MessageRules() {
    }

    /** The error for a text that breaks a rule, or null when it is fine. */
    static ServerFrame.Error check(String text, String ref, Settings settings) {
        if (Text.isBlank(text)) {
            return new ServerFrame.Error(ErrorCode.INVALID, "text must not be empty", ref);
        }
        int max = settings.maxTextChars();
        if (text.length() > max && text.codePointCount(0, text.length()) > max) {
            return new ServerFrame.Error(ErrorCode.TOO_LONG, "text is longer than " + max + " characters", ref);
        }
        return null;
    }
}
