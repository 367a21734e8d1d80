package dev.parley.session;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenBucketTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void aBurstOfAThousandPassesAndTheNextIsRefused() {
        TokenBucket b = new TokenBucket(100, 1000, now::get);
        for (int i = 0; i < 1000; i++) {
            assertTrue(b.tryTake(), "message " + i + " of the burst");
        }
        assertFalse(b.tryTake());
    }

    @Test
    void aSustainedFloodGetsTheRateAndNoMore() {
        TokenBucket b = new TokenBucket(100, 1000, now::get);
        int passed = 0;
        // ten seconds of 1,000 attempts per second
        for (int ms = 0; ms < 10_000; ms++) {
            now.addAndGet(1_000_000L);
            if (b.tryTake()) {
                passed++;
            }
        }
        assertEquals(1000 + 10 * 100, passed, 1);
    }

    @Test
    void tokensRefillUpToTheBurstOnly() {
        TokenBucket b = new TokenBucket(10, 5, now::get);
        for (int i = 0; i < 5; i++) {
            assertTrue(b.tryTake());
        }
        assertFalse(b.tryTake());
        now.addAndGet(100_000_000L); // 0.1 s: one token
        assertTrue(b.tryTake());
        assertFalse(b.tryTake());
        now.addAndGet(60_000_000_000L); // a minute: still only the burst
        int passed = 0;
        while (b.tryTake()) {
            passed++;
        }
        assertEquals(5, passed);
    }

    @Test
    void aRateOfZeroTurnsTheLimitOff() {
        TokenBucket b = new TokenBucket(0, 0, now::get);
        assertTrue(b.isOff());
        for (int i = 0; i < 100_000; i++) {
            assertTrue(b.tryTake());
        }
    }
}
