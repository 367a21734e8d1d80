package dev.parley.chat;

import dev.parley.config.Settings;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.FrameRejected;
import dev.parley.security.SecuritySettings;
import dev.parley.testing.Tokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Logs at INFO and above never carry a token or a message text: drives connections through every path that
 * logs (refused tokens, refused connections, rate-limit closes, a slow consumer, refused frames, token
 * refresh) with marked tokens and texts, and searches everything Parley logged for the marks.
 */
class LogHygieneTest {

    private static final String SECRET_TEXT = "SECRET-TEXT-7f3a";

    private final List<String> logged = new ArrayList<>();
    private final Logger parley = Logger.getLogger("dev.parley");
    private final Handler capture = new Handler() {
        private final SimpleFormatter format = new SimpleFormatter();

        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.INFO.intValue()) {
                synchronized (logged) {
                    logged.add(format.format(r));
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private InMemoryServer server;

    @BeforeEach
    void capture() {
        parley.addHandler(capture);
        SecuritySettings d = SecuritySettings.defaults();
        SecuritySettings security = new SecuritySettings(SecuritySettings.AuthMode.TOKEN,
                new SecuritySettings.Jwt(Tokens.SECRET, null, null, null, null, "sub", "rooms", Duration.ZERO),
                d.origins(), 5, 5, 5, 5, 5, 1, 0, 0, 0, d.idleTimeout(), d.directs(), d.directWindow());
        Settings small = Settings.defaults();
        small = new Settings(small.defaultRoom(), small.maxTextChars(), small.maxFrameBytes(), 2_000,
                small.closeGrace(), small.typingInterval(), small.joinHistory(), small.recoveryLimit(), small.idempotencyWindow(),
                small.sequencerCapacity(), small.sequencerBatch(), small.memoryRetained(), small.outboxMaxLag(),
                2_000); // the hard bound too: the slow consumer below is closed without waiting for it to lag
        server = new InMemoryServer(small, security);
    }

    @AfterEach
    void release() {
        parley.removeHandler(capture);
        server.close();
    }

    @Test
    void noTokenAndNoMessageTextIsLoggedAtInfoOrAbove() throws Exception {
        String good = Tokens.hs256("logan", Duration.ofHours(1), List.of());
        String expired = Tokens.hs256(Tokens.SECRET, "logan", Instant.now().minusSeconds(60), List.of());
        String forged = Tokens.hs256("another-secret-of-at-least-32-bytes!!", "logan", Instant.now().plusSeconds(60), List.of());
        List<String> tokens = List.of(good, expired, forged);

        // refused handshakes: expired, forged, garbage in the query
        assertTrue(server.connect(Map.of(), List.of("chat", "bearer." + expired)).peer() == null);
        assertTrue(server.connect(Map.of(), List.of("chat", "bearer." + forged)).peer() == null);
        assertTrue(server.connect(Map.of("access_token", List.of(SECRET_TEXT)), List.of("chat")).peer() == null);

        InMemoryServer.Connection logan = server.connect(Map.of(), List.of("chat", "bearer." + good));
        assertTrue(logan.peer() != null);
        // a second connection of the same user is over the limit of one
        InMemoryServer.Connection again = server.connect(Map.of(), List.of("chat", "bearer." + good));
        assertTrue(again.peer() == null && again.transport().closeCode() == 4429);

        // frames with the marks: messages, a refresh with each token, refused frames, then a flood
        send(logan, "{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"" + SECRET_TEXT + "\",\"ref\":\"m\"}");
        for (String t : tokens) {
            send(logan, "{\"type\":\"auth\",\"token\":\"" + t + "\"}");
        }
        send(logan, "{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"" + SECRET_TEXT + "\",\"ref\":" + SECRET_TEXT + "}");
        send(logan, "{\"type\":\"" + SECRET_TEXT + "\"}");
        send(logan, SECRET_TEXT + " plain text");
        for (int i = 0; i < 50 && logan.transport().closeCode() == null; i++) {
            send(logan, "{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"" + SECRET_TEXT + i + "\"}");
        }
        server.flush();

        // a slow consumer: a reader whose outbox (2,000 bytes waiting behind the frame in flight) overflows while
        // wren's texts arrive
        InMemoryServer.Connection slow = server.connect(Map.of(), List.of("chat", "bearer." + Tokens.hs256("sloane", Duration.ofHours(1), List.of())));
        InMemoryServer.Connection writer = server.connect(Map.of(), List.of("chat", "bearer." + Tokens.hs256("wren", Duration.ofHours(1), List.of())));
        assertTrue(slow.peer() != null && writer.peer() != null);
        slow.transport().stall();
        for (int i = 0; i < 4; i++) {
            send(writer, "{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"" + SECRET_TEXT + "x".repeat(800) + "\"}");
        }
        server.flush();
        // closing (its close frame waits for the frame in flight, which this reader never takes)
        assertTrue(slow.peer().isClosed(), "the slow consumer was not closed");

        assertTrue(logan.transport().closeCode() != null, "the flood was not closed; the rate-limit log path was not taken");
        // the container reports each close: one line per connection
        for (InMemoryServer.Connection c : List.of(logan, slow, writer)) {
            Integer code = c.transport().closeCode();
            server.connections.closed(c.peer(), code == null ? 1000 : code);
        }
        List<String> lines;
        synchronized (logged) {
            lines = List.copyOf(logged);
        }
        assertFalse(lines.isEmpty(), "nothing was logged: the capture does not work");
        assertTrue(lines.stream().anyMatch(l -> l.contains(" of logan closed with 4429 after ") && l.contains("frames in ")),
                () -> "no close line for logan: " + lines);
        for (String line : lines) {
            assertFalse(line.contains(SECRET_TEXT), () -> "message text in the log: " + line);
            for (String t : tokens) {
                assertFalse(line.contains(t) || line.contains(t.substring(t.lastIndexOf('.') + 1)), () -> "token in the log: " + line);
            }
        }
    }

    private void send(InMemoryServer.Connection c, String frame) {
        try {
            ClientFrame f = FrameCodec.shared().decode(frame);
            server.router.handle(c.peer(), f);
        } catch (FrameRejected e) {
            server.router.reject(c.peer(), e);
        }
    }
}
