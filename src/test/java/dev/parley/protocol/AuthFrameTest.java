package dev.parley.protocol;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The {@code auth} frame and its {@code authenticated} answer, and the error codes added for security. */
class AuthFrameTest {

    private final FrameCodec codec = FrameCodec.shared();

    @Test
    void decodesAnAuthFrame() throws FrameRejected {
        assertEquals(new ClientFrame.Auth("aaa.bbb.ccc", "a1"), codec.decode("{\"type\":\"auth\",\"token\":\"aaa.bbb.ccc\",\"ref\":\"a1\"}"));
    }

    @Test
    void refusesAnAuthFrameWithoutAUsableToken() {
        for (String frame : new String[]{"{\"type\":\"auth\",\"ref\":\"r\"}", "{\"type\":\"auth\",\"token\":7,\"ref\":\"r\"}",
                "{\"type\":\"auth\",\"token\":\"\",\"ref\":\"r\"}",
                "{\"type\":\"auth\",\"token\":\"" + "x".repeat(FrameCodec.MAX_TOKEN_CHARS + 1) + "\",\"ref\":\"r\"}"}) {
            FrameRejected e = assertThrows(FrameRejected.class, () -> codec.decode(frame));
            assertEquals(ErrorCode.INVALID, e.code());
            assertEquals("r", e.ref());
        }
    }

    @Test
    void anAuthFrameNeverShowsItsTokenWhenPrinted() {
        assertFalse(new ClientFrame.Auth("secret-token", null).toString().contains("secret-token"));
    }

    @Test
    void encodesTheAnswerAndTheNewErrorCodes() {
        assertEquals("{\"type\":\"authenticated\",\"user\":\"alice\",\"expires\":\"2026-01-02T03:04:05.000Z\",\"ref\":\"a1\"}",
                codec.encode(new ServerFrame.Authenticated("alice", Instant.parse("2026-01-02T03:04:05Z"), "a1")));
        assertEquals("{\"type\":\"error\",\"code\":\"room_full\",\"message\":\"full\"}",
                codec.encode(new ServerFrame.Error(ErrorCode.ROOM_FULL, "full", null)));
        assertEquals("unauthorized", ErrorCode.UNAUTHORIZED.wire());
        assertEquals("rate_limited", ErrorCode.RATE_LIMITED.wire());
    }
}
