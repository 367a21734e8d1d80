package dev.parley.room;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Lets at most one typing notice per user per room through in each interval, whichever tab sends it.
 * Entries are dropped when the user leaves the room, so the map holds only current members.
 */
public final class TypingThrottle {

    private final long intervalNanos;
    private final LongSupplier clock;
    private final Map<String, Long> lastPassed = new ConcurrentHashMap<>();

    /** @param clock a monotonic nanosecond clock ({@code System::nanoTime} in production) */
    public TypingThrottle(long intervalMillis, LongSupplier clock) {
        this.intervalNanos = intervalMillis * 1_000_000L;
        this.clock = clock;
    }

    /** True when a notice from this user in this room may be forwarded now (and records that it was). */
    public boolean pass(String room, String user) {
        long now = clock.getAsLong();
        boolean[] passed = {false};
        lastPassed.compute(key(room, user), (k, last) -> {
            if (last == null || now - last >= intervalNanos) {
                passed[0] = true;
                return now;
            }
            return last;
        });
        return passed[0];
    }

    /** Forgets the user in the room (called when the user's last connection left it). */
    public void forget(String room, String user) {
        lastPassed.remove(key(room, user));
    }

    private static String key(String room, String user) {
        return room + '\u0000' + user;
    }
}
