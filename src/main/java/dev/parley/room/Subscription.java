package dev.parley.room;

import dev.parley.protocol.CloseCodes;
import dev.parley.session.EncodedFrame;
import dev.parley.session.Peer;

import java.util.ArrayList;
import java.util.List;

/**
 * One connection's membership of one room, and the gate its room frames pass through.
 * While a join is being answered the subscription is <em>pending</em>: frames are held back, so the
 * {@code joined} frame (with its history) always comes first. Once live, messages are passed on only if
 * their seq is above the last one the client has, so history and live delivery never double up.
 * All methods are synchronized on the subscription; delivery threads and the joining thread meet here.
 */
public final class Subscription {

    /** Frames held back while a join is answered; more than this means the client cannot keep up. */
    static final int MAX_HELD = 10_000;

    private record Held(long seq, EncodedFrame frame) {
    }

    private final Peer peer;
    private final String room;
    private boolean live;
    private boolean cancelled;
    private long lastSeq;
    private final List<Held> held = new ArrayList<>();

    Subscription(Peer peer, String room) {
        this.peer = peer;
        this.room = room;
    }

    /** The connection. */
    public Peer peer() {
        return peer;
    }

    /** The room's name. */
    public String room() {
        return room;
    }

    /**
     * Passes a frame of this room on to the connection, or holds it while a join is answered.
     * {@code seq} is the message's seq, or 0 for frames outside the sequence (presence, typing).
     */
    public synchronized void deliver(long seq, EncodedFrame frame) {
        if (cancelled) {
            return;
        }
        if (!live) {
            if (held.size() >= MAX_HELD) {
                held.clear();
                peer.close(CloseCodes.SLOW_CONSUMER, "slow consumer");
                return;
            }
            held.add(new Held(seq, frame));
            return;
        }
        emit(seq, frame);
    }

    /**
     * Sends the answer to a join, then everything held back that the answer did not already contain,
     * and goes live. {@code upTo} is the highest seq the answer covers (messages at or below it are not
     * sent again).
     */
    public synchronized void activate(EncodedFrame joined, long upTo) {
        if (cancelled) {
            return;
        }
        peer.send(joined);
        lastSeq = Math.max(lastSeq, upTo);
        live = true;
        for (Held h : held) {
            emit(h.seq(), h.frame());
        }
        held.clear();
    }

    /** Goes back to pending, for a repeated join on the same connection. */
    synchronized void suspend() {
        live = false;
    }

    /** Stops passing anything on (the connection left the room). */
    synchronized void cancel() {
        cancelled = true;
        held.clear();
    }

    private void emit(long seq, EncodedFrame frame) {
        if (seq == 0) {
            peer.send(frame);
        } else if (seq > lastSeq) {
            lastSeq = seq;
            peer.send(frame);
        }
    }
}
