package dev.parley.room;

import java.time.Duration;

/**
 * How presence is told in rooms, read once at start ({@code parley.presence.*}, see {@link PresenceSetup}). Immutable.
 *
 * @param interval  how long a room's joins, leaves and state changes are gathered before one {@code presence_diff}
 *                  goes to the clients that asked for diffs
 * @param largeRoom the most users a room may have and still be small: a larger room's {@code joined} lists only
 *                  this many members (with the count), its diffs carry only the count, and clients without diffs
 *                  get no per-user presence in it
 */
public record PresenceSettings(Duration interval, int largeRoom) {

    /** Gathered for 100 ms; rooms of more than 200 users are large. */
    public static PresenceSettings defaults() {
        return new PresenceSettings(Duration.ofMillis(100), 200);
    }

    public PresenceSettings {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the presence interval must be positive");
        }
        if (largeRoom < 1) {
            throw new IllegalArgumentException("a large room has more than at least one user");
        }
    }
}
