package dev.parley.session;

import dev.parley.message.Payload;
import dev.parley.protocol.ClientFrame;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Signal and state frames have a rate bucket of their own: a cursor storm neither starves chat nor is starved by it. */
class AppSignalRateTest {

    private final AtomicLong now = new AtomicLong(1);
    private final Payload cursor = Payload.of(JsonValue.EMPTY_JSON_OBJECT);

    @Test
    void aCursorAtSixtyFramesPerSecondFitsTheDefaultAndABurstBeyondIsRefused() {
        Rates rates = new Rates(100, 1000, 5, 10, 0).withAppSignals(120, 240);
        ConnectionGuard guard = new ConnectionGuard(rates, now::get);
        for (int second = 0; second < 10; second++) {
            for (int i = 0; i < 60; i++) {
                now.addAndGet(1_000_000_000L / 60);
                assertEquals(ConnectionGuard.Verdict.PASS, guard.admit(new ClientFrame.Signal("r1", cursor, null)));
            }
        }
        now.addAndGet(2_000_000_000L); // a quiet moment refills the bucket
        int passed = 0;
        for (int i = 0; i < 1000; i++) {
            passed += guard.admit(new ClientFrame.Signal("r1", cursor, null)) == ConnectionGuard.Verdict.PASS ? 1 : 0;
        }
        assertEquals(240, passed, "a full burst, then refusals");
        assertEquals(ConnectionGuard.Verdict.REFUSE, guard.admit(new ClientFrame.State("r1", cursor, null)), "state shares the bucket");
        assertEquals(ConnectionGuard.Verdict.PASS, guard.admit(new ClientFrame.Post("r1", "hi", null)), "chat has its own bucket");
        assertEquals(ConnectionGuard.Verdict.PASS, guard.admit(new ClientFrame.Typing("r1", null)), "so has typing");
    }

    @Test
    void signalsDoNotDrainTheChatBucket() {
        ConnectionGuard guard = new ConnectionGuard(new Rates(1, 1, 0, 0, 0).withAppSignals(0, 0), now::get);
        for (int i = 0; i < 10_000; i++) {
            assertEquals(ConnectionGuard.Verdict.PASS, guard.admit(new ClientFrame.Signal("r1", cursor, null)));
        }
        assertEquals(ConnectionGuard.Verdict.PASS, guard.admit(new ClientFrame.Post("r1", "hi", null)));
    }
}
