package dev.parley.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The bytes of WebSocket frames as a client writes them (RFC 6455, section 5.2), for tests that play the wire. */
public final class WireFrames {

    private WireFrames() {
    }

    /**
     * Writes the first bytes of a frame, up to the mask: FIN and opcode, the mask bit and the payload length in
     * the shortest form. A negative length is written in the 8-byte form, as a header whose top bit is set.
     */
    public static void header(ByteArrayOutputStream f, boolean fin, int opcode, long length, boolean masked) {
        f.write((fin ? 0x80 : 0) | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (length >= 0 && length < 126) {
            f.write(maskBit | (int) length);
        } else if (length >= 0 && length <= 0xffff) {
            f.write(maskBit | 126);
            f.write((int) (length >> 8) & 0xff);
            f.write((int) length & 0xff);
        } else {
            f.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                f.write((int) (length >>> shift) & 0xff);
            }
        }
    }

    /**
     * A frame whose header claims {@code claimed} payload bytes, followed (after a zero mask when masked, so the
     * bytes go out as they are) by only {@code payload} bytes of {@code x}.
     */
    public static byte[] claiming(boolean fin, int opcode, long claimed, int payload, boolean masked) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        header(f, fin, opcode, claimed, masked);
        if (masked) {
            f.writeBytes(new byte[4]);
        }
        f.writeBytes("x".repeat(payload).getBytes(StandardCharsets.US_ASCII));
        return f.toByteArray();
    }
}
