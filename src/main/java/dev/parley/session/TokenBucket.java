package dev.parley.session;

import java.util.function.LongSupplier;

/**
 * A token bucket: holds up to {@code burst} tokens, refills at {@code perSecond}, and each allowed event
 * takes one. A rate of 0 turns the bucket off (everything passes). Thread-safe.
 */
public final class TokenBucket {

    private final double perNano;
    private final double capacity;
    private final LongSupplier clock;
    private double tokens;
    private long last;

    /**
     * @param perSecond steady rate of events; 0 for no limit
     * @param burst     events allowed at once (at least 1 when a rate is set)
     * @param clock     a monotonic nanosecond clock ({@code System::nanoTime} in production)
     */
    public TokenBucket(double perSecond, int burst, LongSupplier clock) {
        this.perNano = perSecond / 1e9;
        this.capacity = Math.max(1, burst);
        this.clock = clock;
        this.tokens = capacity;
        this.last = clock.getAsLong();
    }

    /** True for a bucket that limits nothing. */
    public boolean isOff() {
        return perNano == 0;
    }

    /** Takes one token if there is one; false means the event is over the rate. */
    public synchronized boolean tryTake() {
        if (perNano == 0) {
            return true;
        }
        long now = clock.getAsLong();
        tokens = Math.min(capacity, tokens + (now - last) * perNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
