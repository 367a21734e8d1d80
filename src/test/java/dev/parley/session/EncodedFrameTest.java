package dev.parley.session;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The prepared WebSocket frame is what RFC 6455 says a server sends, whatever the payload's length. */
class EncodedFrameTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65_535, 65_536, 200_000})
    void theWireFrameIsAFinalUnmaskedTextFrameWithTheUtf8PayloadAndItsLength(int payloadBytes) {
        // "é" is two bytes in UTF-8: the length must count bytes, not characters
        String text = "é".repeat(payloadBytes / 2) + "x".repeat(payloadBytes % 2);
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(payloadBytes, utf8.length);

        ByteBuffer wire = EncodedFrame.of(text).wire();

        assertEquals(0x81, wire.get() & 0xFF, "FIN and opcode 1 (text)");
        int second = wire.get() & 0xFF;
        assertEquals(0, second & 0x80, "a server's frame is not masked");
        long length = second & 0x7F;
        if (length == 126) {
            length = wire.getShort() & 0xFFFF;
            assertTrue(payloadBytes >= 126 && payloadBytes <= 65_535, "16-bit length only from 126 to 65,535 bytes");
        } else if (length == 127) {
            length = wire.getLong();
            assertTrue(payloadBytes > 65_535, "64-bit length only above 65,535 bytes");
        }
        assertEquals(payloadBytes, length);
        byte[] payload = new byte[wire.remaining()];
        wire.get(payload);
        assertEquals(text, new String(payload, StandardCharsets.UTF_8));
    }

    @Test
    void eachSendGetsItsOwnViewOfOneSharedArrayThatTheSocketCanTakeAsItIs() {
        EncodedFrame frame = EncodedFrame.of("{\"type\":\"message\"}");
        ByteBuffer first = frame.wire();
        first.position(first.limit()); // one send consumed its view
        ByteBuffer second = frame.wire();
        assertNotSame(first, second);
        assertEquals(0, second.position());
        assertEquals(2 + frame.bytes(), second.remaining());
        assertTrue(second.hasArray(), "a heap array the writer hands over without copying it");
        assertSame(first.array(), second.array(), "framed once for every recipient");
    }
}
