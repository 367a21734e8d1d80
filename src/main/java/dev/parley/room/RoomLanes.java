package dev.parley.room;

import dev.parley.session.OutboundWriters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs each room's deliveries in the order they were handed in, one at a time per room, and different rooms'
 * at the same time on the writer threads ({@link OutboundWriters}). The sequencer hands each stored message
 * here and goes on sequencing: fan-out (one write per member) no longer runs on its one thread, and rooms use
 * every core. A room's lane exists only while it has work; an idle room costs nothing.
 * <p>
 * Tasks run with no lock of Parley's held (they write to sockets). The lanes' map is changed only inside
 * {@link ConcurrentHashMap#compute}, which is what makes "the queue is empty, so the lane ends" and "a task was
 * added, so the lane runs" exclusive: a room never has two lanes running.
 * <p>
 * Backpressure: a caller that hands a room more than {@link #MAX_WAITING} tasks ahead of its lane waits until
 * the lane has caught up. The sequencer is that caller, so it stores a room's messages no faster than they can be
 * handed to the members (as when it delivered them itself): without this, a sender flooding a room would have
 * its messages stored at once and queued for every member faster than fast members read, overflowing their
 * outboxes into 4008. The wait holds no lock but the lane's own monitor, which is only ever held to wait or to
 * notify. A writer thread never waits (it may be draining the very lane it would wait for).
 */
@ApplicationScoped
public class RoomLanes {

    private static final Logger LOG = Logger.getLogger(RoomLanes.class.getName());
    /** Tasks a room's lane may have waiting before the caller handing in more waits for it. */
    static final int MAX_WAITING = 64;
    /** Set while this thread drains a lane: it must never wait for one. */
    private static final ThreadLocal<Boolean> DRAINING = new ThreadLocal<>();

    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private Executor executor;

    /** For CDI. */
    protected RoomLanes() {
    }

    @Inject
    public RoomLanes(OutboundWriters writers) {
        this.executor = writers;
    }

    /** Lanes on the given executor (for tests and tools). */
    public static RoomLanes on(Executor executor) {
        RoomLanes lanes = new RoomLanes();
        lanes.executor = executor;
        return lanes;
    }

    /**
     * Runs {@code task} after every task handed in before for the same room, on a writer thread. Waits while the
     * room's lane has more than {@link #MAX_WAITING} tasks waiting, unless called on a writer thread.
     */
    public void run(String room, Runnable task) {
        Lane lane = add(room, task);
        if (DRAINING.get() == null) {
            lane.awaitBelow(MAX_WAITING);
        }
    }

    /**
     * Runs {@code task} after every task handed in before for the same room, on a writer thread, and never waits:
     * for tasks that come at a bounded rate of their own (a room's presence diffs, one per interval), so that a
     * timer handing them in is never held up by a busy room.
     */
    public void offer(String room, Runnable task) {
        add(room, task);
    }

    private Lane add(String room, Runnable task) {
        Lane[] added = {null};
        boolean[] start = {false};
        lanes.compute(room, (name, lane) -> {
            Lane l = lane != null ? lane : new Lane(name);
            l.tasks.add(task);
            l.waiting.incrementAndGet();
            if (!l.running) {
                l.running = true;
                start[0] = true;
            }
            added[0] = l;
            return l;
        });
        if (start[0]) {
            executor.execute(added[0]::drain);
        }
        return added[0];
    }

    /** The number of rooms with deliveries queued or running (for tests and metrics). */
    public int busy() {
        return lanes.size();
    }

    /** One room's queue of deliveries; its fields are only touched inside the map's compute for the room. */
    private final class Lane {
        private final String room;
        private final Queue<Runnable> tasks = new ArrayDeque<>();
        /** Tasks handed in and not yet run; read without the map's lock by callers that wait. */
        private final AtomicInteger waiting = new AtomicInteger();
        private boolean running;

        Lane(String room) {
            this.room = room;
        }

        /** Waits until at most {@code limit} of this lane's tasks wait (no I/O under this monitor). */
        void awaitBelow(int limit) {
            if (waiting.get() <= limit) {
                return;
            }
            synchronized (this) {
                while (waiting.get() > limit) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }

        /** Runs the room's tasks until none is left, then ends the lane. */
        void drain() {
            DRAINING.set(Boolean.TRUE);
            try {
                drainAll();
            } finally {
                DRAINING.remove();
            }
        }

        private void drainAll() {
            while (true) {
                Runnable[] next = {null};
                lanes.compute(room, (name, lane) -> {
                    next[0] = tasks.poll();
                    if (next[0] == null) {
                        running = false;
                        return null; // ended: the next task for this room starts a new lane
                    }
                    return lane;
                });
                if (next[0] == null) {
                    return;
                }
                try {
                    next[0].run();
                } catch (RuntimeException e) {
                    LOG.log(Level.SEVERE, "a delivery in room " + room + " failed; the room's next ones go on", e);
                } finally {
                    if (waiting.decrementAndGet() == MAX_WAITING) {
                        synchronized (this) {
                            notifyAll();
                        }
                    }
                }
            }
        }
    }
}
