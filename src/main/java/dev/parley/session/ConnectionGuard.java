package dev.parley.session;

import dev.parley.protocol.ClientFrame;

import java.util.function.LongSupplier;

/**
 * The inbound side of one connection: its rate buckets and when it was last heard from. Chat frames
 * (messages, direct messages, joins, queries, undecodable frames), signals (typing, ping) and application
 * signals (signal and state frames) have separate buckets, so a typing or cursor storm never starves chat. Refused frames drain a third bucket; once it is empty the
 * connection is to be closed with 4429. Owned by its {@link Peer}; thread-safe.
 */
public final class ConnectionGuard {

    /** What to do with one inbound frame. */
    public enum Verdict {
        /** Within the rate: act on it. */
        PASS,
        /** Over the rate: drop it and answer {@code rate_limited}. */
        REFUSE,
        /** Over the rate, again and again: answer and close with 4429. */
        CLOSE
    }

    /** Refused frames are forgiven at closeAfterRefused per this many seconds. */
    static final int REFUSAL_WINDOW_SECONDS = 10;

    private final LongSupplier clock;
    private final TokenBucket chat;
    private final TokenBucket signals;
    private final TokenBucket appSignals;
    private final TokenBucket refusals;
    private volatile long lastHeard;
    private volatile long lastPing;
    private volatile long closedSeen;

    /** @param clock a monotonic nanosecond clock ({@code System::nanoTime} in production) */
    public ConnectionGuard(Rates rates, LongSupplier clock) {
        this.clock = clock;
        this.chat = new TokenBucket(rates.messagesPerSecond(), rates.burst(), clock);
        this.signals = new TokenBucket(rates.signalsPerSecond(), rates.signalBurst(), clock);
        this.appSignals = new TokenBucket(rates.appSignalsPerSecond(), rates.appSignalBurst(), clock);
        int strikes = rates.closeAfterRefused();
        this.refusals = new TokenBucket(strikes == 0 ? 0 : (double) strikes / REFUSAL_WINDOW_SECONDS, strikes, clock);
        this.lastHeard = clock.getAsLong();
        this.lastPing = lastHeard;
    }

    /** Counts one inbound frame against its bucket; {@code frame} is null for one that could not be decoded. */
    public Verdict admit(ClientFrame frame) {
        heard();
        TokenBucket bucket = frame instanceof ClientFrame.Typing || frame instanceof ClientFrame.Ping ? signals
                : frame instanceof ClientFrame.Signal || frame instanceof ClientFrame.State ? appSignals : chat;
        if (bucket.tryTake()) {
            return Verdict.PASS;
        }
        return refusals.isOff() || refusals.tryTake() ? Verdict.REFUSE : Verdict.CLOSE;
    }

    /** Records that the client showed it is alive (a frame or a pong). */
    public void heard() {
        lastHeard = clock.getAsLong();
    }

    /** Nanoseconds since the client was last heard from. */
    public long quietFor(long now) {
        return now - lastHeard;
    }

    /** True, noting the time, when no ping went out within {@code interval}: the caller sends one. */
    public boolean pingDue(long now, long interval) {
        if (now - lastPing < interval) {
            return false;
        }
        lastPing = now;
        return true;
    }

    /**
     * Nanoseconds since a sweep first saw the connection closing ({@code closing} true), or -1 while it is not.
     */
    public long closingFor(long now, boolean closing) {
        if (!closing) {
            return -1;
        }
        if (closedSeen == 0) {
            closedSeen = now == 0 ? 1 : now;
        }
        return now - closedSeen;
    }
}
