package dev.parley.chat;

import dev.parley.config.Settings;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.FrameArbitraries;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.FrameRejected;
import dev.parley.security.SecuritySettings;
import dev.parley.testing.Tokens;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the decoder and the frame handler together with a fixed seed: each generated frame goes through
 * {@link FrameCodec#decode} and then {@link FrameRouter#handle} (or {@link FrameRouter#reject}) of a real,
 * container-free server, as the endpoint would pass it. No exception may escape, no frame may end in an
 * {@code internal} error (that would be a bug the handler merely caught), and every frame is answered with a
 * frame or a close, except typing, signals and state in a room the connection is in, which by the protocol
 * are answered to the other members only. The number of frames is jqwik's {@code jqwik.tries.default} (100,000 in
 * junit-platform.properties; {@code -Djqwik.tries.default=N} for a longer run).
 */
class ProtocolFuzzTest {

    private InMemoryServer server;
    private InMemoryServer.Connection me;
    private InMemoryServer.Connection other;

    @BeforeProperty
    void start() {
        SecuritySettings d = SecuritySettings.defaults();
        SecuritySettings security = new SecuritySettings(SecuritySettings.AuthMode.TOKEN,
                new SecuritySettings.Jwt(Tokens.SECRET, null, null, null, null, "sub", "rooms", Duration.ZERO),
                d.origins(), 0, 0, 0, 0, 0, 0, 0, 0, 0, d.idleTimeout(), d.directs(), d.directWindow());
        server = new InMemoryServer(Settings.defaults(), security);
        other = connect("other");
        me = connect("fuzzer");
    }

    @AfterProperty
    void stop() {
        server.close();
    }

    @Property(seed = "20261121", shrinking = ShrinkingMode.OFF, edgeCases = EdgeCasesMode.NONE)
    void everyFrameGetsAFrameOrACloseAndNothingEscapes(@ForAll("frames") String frame) throws Exception {
        if (me.peer() == null || me.transport().closeCode() != null) {
            me = connect("fuzzer");
        }
        int mark = me.transport().count();
        boolean silentByProtocol = false;
        try {
            ClientFrame decoded = FrameCodec.shared().decode(frame);
            Statistics.label("frame").collect(decoded.getClass().getSimpleName());
            // Typing, signals and state in a room the connection is in are answered to the other members only.
            silentByProtocol = decoded instanceof ClientFrame.Typing t && me.peer().rooms().contains(t.room())
                    || decoded instanceof ClientFrame.Signal sig && me.peer().rooms().contains(sig.room())
                    || decoded instanceof ClientFrame.State st && me.peer().rooms().contains(st.room());
            server.router.handle(me.peer(), decoded);
            boolean stored = decoded instanceof ClientFrame.Post || decoded instanceof ClientFrame.Direct;
            if (stored && me.transport().count() == mark) {
                server.flush(); // passed the checks: answered on the sequencer's thread once stored
            }
        } catch (FrameRejected rejected) {
            Statistics.label("frame").collect("rejected " + rejected.code().wire());
            server.router.reject(me.peer(), rejected);
        }
        InMemoryServer.drained(me);
        List<String> answers = me.transport().since(mark);
        for (String a : answers) {
            assertFalse(a.contains("\"code\":\"internal\""), () -> "internal error for " + frame + ": " + a);
        }
        boolean answered = !answers.isEmpty() || me.transport().closeCode() != null;
        boolean finalSilent = silentByProtocol;
        assertTrue(answered || finalSilent, () -> "no answer to " + frame);
    }

    @Provide
    Arbitrary<String> frames() {
        return FrameArbitraries.frames();
    }

    private InMemoryServer.Connection connect(String user) {
        String token = Tokens.hs256(user, Duration.ofHours(1), List.of("team-*"));
        InMemoryServer.Connection c = server.connect(Map.of(), List.of("chat", "bearer." + token));
        assertTrue(c.peer() != null, () -> "refused: " + c.transport().closeCode() + " " + c.transport().closeReason());
        return c;
    }
}
