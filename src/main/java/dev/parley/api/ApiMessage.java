package dev.parley.api;

import dev.parley.message.Payload;

import java.io.InputStream;
import java.util.Objects;

/**
 * A message as a backend posts it to the API: {@code text} and/or {@code data} (without data the text is
 * required; with it the text may be left out), and the sender its key lets it name in {@code from}. The rules of
 * a message (blank text, sizes) are the services'; this only reads the body. Immutable.
 *
 * @param text the text, never null ("" when only data is given)
 * @param data the application's JSON object, or null
 * @param from the sender, never null
 */
record ApiMessage(String text, Payload data, String from) {

    /** Reads the body (at most {@code maxBytes}): 400 for a bad field, 403 for a {@code from} the key may not set. */
    static ApiMessage read(InputStream body, int maxBytes, ApiCaller caller) {
        RequestBody request = RequestBody.read(body, maxBytes, false);
        Payload data = request.optionalData("data");
        String text = data == null ? request.string("text") : request.optionalString("text");
        String from = caller.sender(request.optionalString("from"));
        return new ApiMessage(text == null ? "" : text, data, from);
    }

    /** Whether a stored message with this text and data is this one (a replay) rather than another under the same key. */
    boolean sameAs(String storedText, Payload storedData) {
        return text.equals(storedText) && Objects.equals(data == null ? null : data.json(),
                storedData == null ? null : storedData.json());
    }
}
