package dev.parley.session;

import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.ServerFrame;
import dev.parley.protocol.Text;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A frame encoded once, ready to be queued on any number of outboxes; {@code bytes} is its UTF-8 size,
 * counted once so that each outbox can account for it cheaply. Where the runtime can write bytes that are already
 * framed, {@link #wire()} gives the whole WebSocket frame, built once for every recipient of a broadcast instead of
 * once per recipient. Immutable and thread-safe.
 */
public final class EncodedFrame {

    private final String text;
    private final int bytes;
    /** The WebSocket frame, built on first use; a race builds it twice, with the same bytes. */
    private volatile byte[] wire;

    private EncodedFrame(String text, int bytes) {
        this.text = text;
        this.bytes = bytes;
    }

    /** Wraps encoded JSON, counting its UTF-8 bytes. */
    public static EncodedFrame of(String text) {
        return new EncodedFrame(text, Text.utf8Length(text));
    }

    /** Encodes a server frame once (with the shared codec), for sending to one or many peers. */
    public static EncodedFrame of(ServerFrame frame) {
        return of(FrameCodec.shared().encode(frame));
    }

    /** The JSON text. */
    public String text() {
        return text;
    }

    /** Its size in UTF-8 bytes (the frame's payload). */
    public int bytes() {
        return bytes;
    }

    /**
     * The whole WebSocket text frame as a server sends it (RFC 6455 section 5.2: final, opcode 1, not masked, the
     * length in 7, 16 or 64 bits, then the UTF-8 payload), as a fresh view for one send, over the one array every
     * send shares: a writer may read it and move the view's position, never write into it. Not read-only on
     * purpose: a runtime hands a heap buffer's array to the socket as it is, but copies a read-only buffer into a
     * new array first (Tyrus's servlet writer), once per recipient, which is what the shared frame saves.
     */
    public ByteBuffer wire() {
        byte[] w = wire;
        if (w == null) {
            w = frame(text.getBytes(StandardCharsets.UTF_8));
            wire = w;
        }
        return ByteBuffer.wrap(w);
    }

    private static byte[] frame(byte[] payload) {
        int n = payload.length;
        int header = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
        byte[] f = new byte[header + n];
        f[0] = (byte) 0x81; // FIN, text
        if (n < 126) {
            f[1] = (byte) n;
        } else if (n <= 0xFFFF) {
            f[1] = 126;
            f[2] = (byte) (n >>> 8);
            f[3] = (byte) n;
        } else {
            f[1] = 127;
            long len = n;
            for (int i = 0; i < 8; i++) {
                f[2 + i] = (byte) (len >>> (56 - 8 * i));
            }
        }
        System.arraycopy(payload, 0, f, header, n);
        return f;
    }

    @Override
    public String toString() {
        return "EncodedFrame[" + bytes + " bytes]";
    }
}
