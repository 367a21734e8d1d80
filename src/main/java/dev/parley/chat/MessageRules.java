package dev.parley.chat;

import dev.parley.config.EventSettings;
import dev.parley.config.Settings;
import dev.parley.message.Payload;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ServerFrame;
import dev.parley.protocol.Text;

/**
 * The rules every message meets, room or direct: a text that is not blank and not longer than the configured
 * limit, or application data within its limit (then the text may be absent or empty); and the size rule of
 * signals and member state.
 */
final class MessageRules {

    private MessageRules() {
    }

    /**
     * The error for a message that breaks a rule, or null when it is fine. {@code text} may be null only when
     * {@code data} is given.
     */
    static ServerFrame.Error check(String text, Payload data, String ref, Settings settings, EventSettings events) {
        if (data == null) {
            return check(text, ref, settings);
        }
        ServerFrame.Error tooBig = checkSize(data, events.maxDataBytes(), "data", ref);
        if (tooBig != null || text == null || text.isEmpty()) {
            return tooBig;
        }
        int max = settings.maxTextChars();
        if (text.length() > max && text.codePointCount(0, text.length()) > max) {
            return new ServerFrame.Error(ErrorCode.TOO_LONG, "text is longer than " + max + " characters", ref);
        }
        return null;
    }

    /** {@code too_long} when the encoded object is larger than {@code maxBytes}, else null. */
    static ServerFrame.Error checkSize(Payload data, int maxBytes, String what, String ref) {
        if (data.encoded().length() > maxBytes / 3 && data.bytes() > maxBytes) {
            return new ServerFrame.Error(ErrorCode.TOO_LONG, what + " is larger than " + maxBytes + " bytes (compact JSON, UTF-8)", ref);
        }
        return null;
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
