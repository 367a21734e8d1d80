package dev.parley.security;

import dev.parley.protocol.ClientFrame;
import dev.parley.session.Peer;

import java.util.function.LongSupplier;

/**
 * The security state of one connection: who it is (replaced when the token is refreshed), its rate buckets,
 * and when it was last heard from. Chat frames (messages, direct messages, joins, queries, undecodable
 * frames) and signals (typing, ping) have separate buckets, so a typing storm never starves chat. Refused
 * frames drain a third bucket; once it is empty the connection is closed with 4429. Thread-safe.
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

    private final Peer peer;
    private final String address;
    private final Runnable ping;
    private final Runnable forget;
    private final LongSupplier clock;
    private final TokenBucket chat;
    private final TokenBucket signals;
    private final TokenBucket refusals;
    private volatile Identity identity;
    private volatile long lastHeard;
    private volatile long lastPing;
    private volatile long closedSeen;

    /**
     * @param ping   sends a WebSocket ping to the client (may do nothing on transports without one)
     * @param forget drops everything the server holds for the connection (used when a close never completes)
     */
    public ConnectionGuard(Peer peer, Identity identity, String address, SecuritySettings settings,
                           Runnable ping, Runnable forget, LongSupplier clock) {
        this.peer = peer;
        this.identity = identity;
        this.address = address;
        this.ping = ping;
        this.forget = forget;
        this.clock = clock;
        this.chat = new TokenBucket(settings.messagesPerSecond(), settings.burst(), clock);
        this.signals = new TokenBucket(settings.signalsPerSecond(), settings.signalBurst(), clock);
        int strikes = settings.closeAfterRefused();
        this.refusals = new TokenBucket(strikes == 0 ? 0 : (double) strikes / REFUSAL_WINDOW_SECONDS, strikes, clock);
        this.lastHeard = clock.getAsLong();
        this.lastPing = lastHeard;
    }

    /** The connection. */
    public Peer peer() {
        return peer;
    }

    /** Who the connection is now; never null. */
    public Identity identity() {
        return identity;
    }

    /** The remote address the connection came from, or "unknown". */
    public String address() {
        return address;
    }

    /** Replaces the identity after a token refresh. */
    public void identity(Identity fresh) {
        this.identity = fresh;
    }

    /** Counts one inbound frame against its bucket; {@code frame} is null for one that could not be decoded. */
    public Verdict admit(ClientFrame frame) {
        heard();
        TokenBucket bucket = frame instanceof ClientFrame.Typing || frame instanceof ClientFrame.Ping ? signals : chat;
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
    long quietFor(long now) {
        return now - lastHeard;
    }

    /** Sends a ping unless one went out within {@code interval}; returns true when one was sent. */
    boolean pingIfDue(long now, long interval) {
        if (now - lastPing < interval) {
            return false;
        }
        lastPing = now;
        ping.run();
        return true;
    }

    /** Nanoseconds since the watchdog first saw the connection closing, or -1 while it is not. */
    long closingFor(long now) {
        if (!peer.isClosed()) {
            return -1;
        }
        if (closedSeen == 0) {
            closedSeen = now == 0 ? 1 : now;
        }
        return now - closedSeen;
    }

    /**
     * Drops the server's state of a connection whose close never completed (the peer closes its transport
     * itself once its close grace is over, see {@link Peer#close}).
     */
    void forget() {
        forget.run();
    }
}
