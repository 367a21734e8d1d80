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
 */
public record Settings(String defaultRoom, int maxTextChars, int maxFrameBytes, long outboxMaxBytes,
                       Duration closeGrace, Duration typingInterval, int joinHistory, int recoveryLimit, Duration idempotencyWindow,
                       int sequencerCapacity, int sequencerBatch, int memoryRetained, Duration outboxMaxLag,
                       long outboxHardMaxBytes) {

    /** The defaults, as documented in the README. */
    public static Settings defaults() {
        return new Settings("lobby", 4000, 64 * 1024, 1024 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(2), 50, 1000,
                Duration.ofHours(24), 10_000, 500, 10_000, Duration.ofSeconds(1), 16 * 1024 * 1024);
    }

    /**
     * The bytes of a connection's accepted messages that may wait to be written out to the members that read before
     * the server stops reading from it: half the outbox bound, so one sender alone never fills a reader's outbox.
     */
    public long intakeWindowBytes() {
        return Math.max(1, outboxMaxBytes / 2);
    }

    /** The rooms a connection is in right after open: the default room, if any. */
    public List<String> initialRooms() {
        return defaultRoom == null ? List.of() : List.of(defaultRoom);
    }
}
