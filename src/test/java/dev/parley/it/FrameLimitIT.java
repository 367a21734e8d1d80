package dev.parley.it;

import dev.parley.it.support.Deployments;
import dev.parley.it.support.RawClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.StringReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The frame limit ({@code parley.frame.max-bytes}, 64 KiB) and the masking rule hold for frames written the way
 * browsers and Node's {@code ws} write them, on the raw wire: an over-long frame is refused with 1009 as soon as its
 * header announces the length (whether or not the payload ever follows, and whether the message is one frame or
 * several), an unmasked client frame with 1002, and a frame of exactly the limit is still read and answered.
 */
@ExtendWith(ArquillianExtension.class)
@Timeout(90)
class FrameLimitIT {

    private static final int LIMIT = 64 * 1024;
    /** How soon an over-long frame must be refused: long before a server could have read a large one. */
    private static final Duration PROMPTLY = Duration.ofSeconds(1);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley();
    }

    @ArquillianResource
    URL base;

    /** A connected client past welcome and joined, so what it sends next is read as chat frames. */
    private RawClient connect(String name) {
        RawClient c = RawClient.connect(Deployments.chat(base, "name=" + name), "chat");
        awaitType(c, "welcome");
        awaitType(c, "joined");
        return c;
    }

    private static JsonObject awaitType(RawClient c, String type) {
        while (true) {
            RawClient.Frame f = c.next(Duration.ofSeconds(10));
            if (f == null) {
                throw new AssertionError("connection ended while waiting for " + type);
            }
            if (f.opcode() == RawClient.Frame.CLOSE) {
                throw new AssertionError("closed with " + f.closeCode() + " while waiting for " + type);
            }
            if (f.opcode() == RawClient.Frame.TEXT) {
                JsonObject o = Json.createReader(new StringReader(f.text())).readObject();
                if (type.equals(o.getString("type", null))) {
                    return o;
                }
            }
        }
    }

    /** A message frame whose JSON is exactly {@code bytes} long (its text is far over the text limit). */
    private static byte[] messageOfExactly(int bytes) {
        String head = "{\"type\":\"message\",\"room\":\"lobby\",\"ref\":\"big\",\"text\":\"";
        String tail = "\"}";
        return (head + "b".repeat(bytes - head.length() - tail.length()) + tail).getBytes(StandardCharsets.UTF_8);
    }

    /** The server answers a ping on {@code c}: the connection is still open and read. */
    private static void stillOpen(RawClient c) {
        c.sendText("{\"type\":\"ping\",\"ref\":\"alive\"}");
        assertEquals("alive", awaitType(c, "pong").getString("ref"));
    }

    @BeforeEach
    void warmUp() {
        // The first connections of a fresh server are slow (class loading, JIT); the timing below is for the
        // server as it runs, not as it starts.
        try (RawClient c = connect("fl-warm")) {
            stillOpen(c);
        }
    }

    @Test
    void singleFramesOverTheLimitCloseWith1009AtOnce() {
        for (int size : new int[]{LIMIT + 1, 1024 * 1024}) {
            try (RawClient c = connect("fl-single")) {
                long start = System.nanoTime();
                c.trySendFrame(true, RawClient.Frame.TEXT, messageOfExactly(size)); // the server may close mid-write
                assertEquals(1009, c.awaitCloseCode(PROMPTLY), "a single frame of " + size + " bytes");
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertEquals(true, took.compareTo(PROMPTLY) < 0, "closed after " + took);
            }
        }
    }

    @Test
    void aHeaderThatClaims100MiBClosesWith1009WithoutThePayload() {
        try (RawClient c = connect("fl-claim")) {
            c.sendHeaderClaiming(true, RawClient.Frame.TEXT, 100L * 1024 * 1024, 10);
            assertEquals(1009, c.awaitCloseCode(PROMPTLY));
        }
        try (RawClient c = connect("fl-claim")) {
            c.sendHeaderClaiming(true, RawClient.Frame.TEXT, Long.MAX_VALUE, 10);
            assertEquals(1009, c.awaitCloseCode(PROMPTLY), "the largest length a header can carry");
        }
    }

    @Test
    void fragmentedMessagesOverTheLimitCloseWith1009() {
        byte[] part = new byte[40 * 1024];
        Arrays.fill(part, (byte) 'f');
        try (RawClient c = connect("fl-frag")) {
            c.trySendFrame(false, RawClient.Frame.TEXT, part);
            c.trySendFrame(true, RawClient.Frame.CONTINUATION, part);
            assertEquals(1009, c.awaitCloseCode(PROMPTLY), "two fragments of 40 KiB");
        }
        try (RawClient c = connect("fl-frag")) {
            c.trySendFrame(false, RawClient.Frame.TEXT, part);
            c.sendHeaderClaiming(true, RawClient.Frame.CONTINUATION, 100L * 1024 * 1024, 10);
            assertEquals(1009, c.awaitCloseCode(PROMPTLY), "a continuation whose header claims 100 MiB");
        }
    }

    @Test
    void framesOfExactlyTheLimitAreReadAndAnswered() {
        try (RawClient c = connect("fl-exact")) {
            c.trySendFrame(true, RawClient.Frame.TEXT, messageOfExactly(LIMIT));
            JsonObject error = awaitType(c, "error");
            assertEquals("too_long", error.getString("code"), error::toString);
            stillOpen(c);

            byte[] whole = messageOfExactly(LIMIT);
            c.trySendFrame(false, RawClient.Frame.TEXT, Arrays.copyOfRange(whole, 0, LIMIT / 2));
            c.trySendFrame(true, RawClient.Frame.CONTINUATION, Arrays.copyOfRange(whole, LIMIT / 2, LIMIT));
            assertEquals("too_long", awaitType(c, "error").getString("code"), "the same in two fragments");
            stillOpen(c);
        }
    }

    @Test
    void unmaskedClientFramesCloseWith1002() {
        try (RawClient c = connect("fl-unmasked")) {
            c.sendUnmaskedText("{\"type\":\"ping\",\"ref\":\"bare\"}");
            assertEquals(1002, c.awaitCloseCode(PROMPTLY));
        }
        try (RawClient c = connect("fl-after")) {
            stillOpen(c);
        }
    }
}
