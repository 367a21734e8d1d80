package dev.parley.session;

import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.ServerFrame;
import dev.parley.protocol.Text;

/**
 * A frame encoded once, ready to be queued on any number of outboxes; {@code bytes} is its UTF-8 size,
 * counted once so that each outbox can account for it cheaply.
 */
public record EncodedFrame(String text, int bytes) {

    /** Wraps encoded JSON, counting its UTF-8 bytes. */
    public static EncodedFrame of(String text) {
        return new EncodedFrame(text, Text.utf8Length(text));
    }

    /** Encodes a server frame once (with the shared codec), for sending to one or many peers. */
    public static EncodedFrame of(ServerFrame frame) {
        return of(FrameCodec.shared().encode(frame));
    }
}
