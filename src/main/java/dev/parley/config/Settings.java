package dev.parley.config;

import java.time.Duration;
import java.util.List;

/**
 * Parley's settings, read once at start from MicroProfile Config (see {@link SettingsProducer} for the
 * property names and defaults). Immutable.
 *
 * @param defaultRoom       the room every connection joins on open, or null for none
 * @param maxTextChars      the longest message text, in characters (code points)
 * @param maxFrameBytes     the largest text frame accepted; larger ones close the connection with 1009
 * @param outboxMaxBytes    the most bytes that may wait for one connection before it is closed as a slow consumer
 * @param closeGrace        how long a close waits for the frame being written, so a slow client still sees the close code
 * @param typingInterval    at most one typing notice per user per room per this interval
 * @param joinHistory       messages in {@code joined} when the client gives no {@code since}
 * @param recoveryLimit     the most missed messages {@code joined} carries for a {@code since}
 * @param idempotencyWindow how long a ref identifies a message for retries
 * @param sequencerCapacity drafts that may wait for the store before sends are refused as unavailable
 * @param sequencerBatch    the most messages stored in one transaction
 * @param memoryRetained    messages kept per room by the in-memory store
 * @param outboxMaxLag      how long the oldest frame may wait for a connection before it lags: a lagging connection
 *                          no longer slows senders down, and is closed as a slow consumer once more than
 *                          {@code outboxMaxBytes} wait
 * @param outboxHardMaxBytes the most bytes that may wait for any connection, lagging or not (the memory bound)
 * @param intakeWindowBytes the bytes of a sender's accepted messages (a connection's, or the HTTP API's into one room)
 *                          that may wait to be written out to the members that read before the sender waits; 0 or less
 *                          stands for the default, half of {@code outboxMaxBytes}, so one sender alone never fills a
 *                          reader's outbox
 * @param intakeWaiters     the most threads that may wait for intake windows at once (connections' and API requests'):
 *                          they are container threads, which the writes waited for also need; 0 or less: the default, 32
 */
public record Settings(String defaultRoom, int maxTextChars, int maxFrameBytes, long outboxMaxBytes,
                       Duration closeGrace, Duration typingInterval, int joinHistory, int recoveryLimit, Duration idempotencyWindow,
                       int sequencerCapacity, int sequencerBatch, int memoryRetained, Duration outboxMaxLag,
                       long outboxHardMaxBytes, long intakeWindowBytes, int intakeWaiters) {

    /** The waiter cap when none is set: well below the 200 threads of Payara's http-thread-pool. */
    public static final int DEFAULT_INTAKE_WAITERS = 32;

    public Settings {
        intakeWindowBytes = intakeWindowBytes > 0 ? intakeWindowBytes : Math.max(1, outboxMaxBytes / 2);
        intakeWaiters = intakeWaiters > 0 ? intakeWaiters : DEFAULT_INTAKE_WAITERS;
    }

    /** Settings with the default intake window (half of {@code outboxMaxBytes}) and waiter cap. */
    public Settings(String defaultRoom, int maxTextChars, int maxFrameBytes, long outboxMaxBytes,
                    Duration closeGrace, Duration typingInterval, int joinHistory, int recoveryLimit, Duration idempotencyWindow,
                    int sequencerCapacity, int sequencerBatch, int memoryRetained, Duration outboxMaxLag,
                    long outboxHardMaxBytes) {
        this(defaultRoom, maxTextChars, maxFrameBytes, outboxMaxBytes, closeGrace, typingInterval, joinHistory, recoveryLimit,
                idempotencyWindow, sequencerCapacity, sequencerBatch, memoryRetained, outboxMaxLag, outboxHardMaxBytes, 0, 0);
    }

    /** The defaults, as documented in the README. */
    public static Settings defaults() {
        return new Settings("lobby", 4000, 64 * 1024, 1024 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(2), 50, 1000,
                Duration.ofHours(24), 10_000, 500, 10_000, Duration.ofSeconds(1), 16 * 1024 * 1024);
    }

    /** The rooms a connection is in right after open: the default room, if any. */
    public List<String> initialRooms() {
        return defaultRoom == null ? List.of() : List.of(defaultRoom);
    }
}
