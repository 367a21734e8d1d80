package dev.parley.it;

import dev.parley.it.support.Deployments;
import dev.parley.it.support.RawClient;
import dev.parley.testing.Tokens;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URL;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documented token limit (4,096 characters) fits the container's request header limit (8 KiB on Payara Micro)
 * with room for a browser's other headers: a token at the limit is upgraded and then judged by its content, one
 * over it is closed with 4401 {@code invalid token: too long}, whether it travels as a subprotocol or in the query.
 */
@ExtendWith(ArquillianExtension.class)
@Timeout(90)
class TokenLengthIT {

    /** TokenVerifier.MAX_TOKEN_CHARS, as docs/security.md states it. */
    private static final int LIMIT = 4096;
    private static final Duration WAIT = Duration.ofSeconds(10);

    /**
     * About 3 KB of headers as a browser sends them, cookies included, on top of the WebSocket ones: the room the
     * limit leaves.
     */
    private static final String BROWSER_HEADERS = "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
            + "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n"
            + "Accept-Language: en-GB,en;q=0.9,de;q=0.8,fr;q=0.7\r\n"
            + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
            + "Cache-Control: no-cache\r\nPragma: no-cache\r\n"
            + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
            + "Cookie: session=" + "c".repeat(2600) + "\r\n";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley(String.join("\n",
                "parley.auth.mode=token",
                "parley.auth.hs256-secret=" + Tokens.SECRET,
                "parley.default-room=none"));
    }

    @ArquillianResource
    URL base;

    private URI chat(String query) {
        return Deployments.chat(base, query);
    }

    /** Connects with the token as an offered subprotocol or as {@code ?access_token=}, and browser headers. */
    private RawClient connect(String token, boolean asQuery) {
        return asQuery
                ? RawClient.connect(chat("access_token=" + token), "chat", BROWSER_HEADERS)
                : RawClient.connect(chat(null), "chat, bearer." + token, BROWSER_HEADERS);
    }

    private static String welcomeOrClose(RawClient c) {
        RawClient.Frame f = c.next(WAIT);
        if (f == null) {
            return "(connection ended)";
        }
        return f.opcode() == RawClient.Frame.CLOSE ? f.closeCode() + " " + RawClient.closeReason(f) : f.text();
    }

    @Test
    void aTokenAtTheLimitIsJudgedByItsContentBothWays() {
        for (boolean asQuery : new boolean[]{false, true}) {
            String good = Tokens.padded(Tokens.SECRET, "long-" + asQuery, Duration.ofMinutes(5), LIMIT);
            try (RawClient c = connect(good, asQuery)) {
                String first = welcomeOrClose(c);
                assertTrue(first.contains("\"type\":\"welcome\""), (asQuery ? "query: " : "subprotocol: ") + first);
            }
            String forged = Tokens.padded("another-secret-that-is-long-enough-0123456789", "long-" + asQuery,
                    Duration.ofMinutes(5), LIMIT);
            try (RawClient c = connect(forged, asQuery)) {
                assertEquals("4401 invalid token", welcomeOrClose(c), asQuery ? "query" : "subprotocol");
            }
        }
    }

    @Test
    void aTokenOverTheLimitIsClosedWith4401TooLongBothWays() {
        String good = Tokens.padded(Tokens.SECRET, "too-long", Duration.ofMinutes(5), LIMIT + 3);
        for (boolean asQuery : new boolean[]{false, true}) {
            try (RawClient c = connect(good, asQuery)) {
                assertEquals("4401 invalid token: too long", welcomeOrClose(c), asQuery ? "query" : "subprotocol");
            }
        }
    }

    @Test
    void aQueryFarOverTheHeaderLimitIsRefusedWithHttp4xxAndHarmsNobody() {
        String status = RawClient.handshakeStatus(chat("access_token=" + "a".repeat(80_000)), "chat", "");
        assertTrue(status.matches("HTTP/1\\.1 4\\d\\d.*"), status);
        String token = Tokens.hs256("after-huge", Duration.ofMinutes(5), null);
        try (RawClient c = connect(token, false)) {
            assertTrue(welcomeOrClose(c).contains("\"type\":\"welcome\""));
        }
    }
}
