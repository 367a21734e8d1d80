package dev.parley.room;

import dev.parley.protocol.CloseCodes;
import dev.parley.session.EncodedFrame;
import dev.parley.session.IntakeWindow;
import dev.parley.session.Peer;

import java.util.ArrayList;
import java.util.List;

/**
 * One connection's membership of one room, and the gate its room frames pass through.
 * While a join is being answered the subscription is <em>pending</em>: frames are held back, so the
 * {@code joined} frame (with its history) always comes first. Once live, messages are passed on only if
 * their seq is above the last one the client has, so history and live delivery never double up.
 * State changes are synchronized on the subscription; delivery threads and the joining thread meet here.
 * Frames are queued on the peer under the monitor (so {@code joined} and the held frames keep their place), and
 * written only after it is released, or by a writer thread: never any I/O under the monitor.
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
     * Passes a stored message of this room on to the connection (writing it on this thread, see
     * {@link Peer#flush}), or holds it while a join is answered. The caller must hold no lock: the write, and
     * on a failed write the container's close callbacks, run here once the subscription's monitor is released.
     */
    public void deliver(long seq, EncodedFrame frame) {
        deliver(seq, frame, null);
    }

    /**
     * As {@link #deliver(long, EncodedFrame)}; a live connection's copy holds the sender's {@code receipt} (null:
     * none) until it is written out (see {@link Peer#enqueue(EncodedFrame, IntakeWindow.Receipt)}). A frame held back
     * while a join is answered holds none.
     */
    public void deliver(long seq, EncodedFrame frame, IntakeWindow.Receipt receipt) {
        boolean queued;
        synchronized (this) {
            queued = pass(seq, frame, false, receipt);
        }
        if (queued) {
            peer.flush();
        }
    }

    /**
     * Passes a signal on to the connection (see {@link Peer#enqueueSignal}), writing it on this thread once the
     * monitor is released; dropped, never held, while a join is answered. The caller must hold no lock.
     */
    public void relay(String key, EncodedFrame frame) {
        boolean queued;
        synchronized (this) {
            queued = live && !cancelled && peer.enqueueSignal(key, frame);
        }
        if (queued) {
            peer.flush();
        }
    }

    /**
     * Passes a frame outside the message sequence (presence, typing) on to the connection, or holds it while a
     * join is answered. Only queues it (a writer thread sends it): safe under a room's monitor.
     */
    public synchronized void signal(EncodedFrame frame) {
        pass(0, frame, true, null);
    }

    /** Holds or queues a frame; true when it was queued without being handed to a writer (the caller flushes). */
    private boolean pass(long seq, EncodedFrame frame, boolean offer, IntakeWindow.Receipt receipt) {
        if (cancelled) {
            return false;
        }
        if (!live) {
            if (held.size() >= MAX_HELD) {
                held.clear();
                peer.close(CloseCodes.SLOW_CONSUMER, "slow consumer");
                return false;
            }
            held.add(new Held(seq, frame));
            return false;
        }
        if (seq != 0) {
            if (seq <= lastSeq) {
                return false;
            }
            lastSeq = seq;
        }
        if (offer) {
            peer.post(frame);
            return false;
        }
        return peer.enqueue(frame, receipt);
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
        peer.post(joined);
        lastSeq = Math.max(lastSeq, upTo);
        live = true;
        for (Held h : held) {
            pass(h.seq(), h.frame(), true, null);
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
}
