package dev.parley.room;

import dev.parley.session.OutboundWriters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
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
 */
@ApplicationScoped
public class RoomLanes {

    private static final Logger LOG = Logger.getLogger(RoomLanes.class.getName());

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

    /** Runs {@code task} after every task handed in before for the same room, on a writer thread. */
    public void run(String room, Runnable task) {
        Lane[] started = {null};
        lanes.compute(room, (name, lane) -> {
            Lane l = lane != null ? lane : new Lane(name);
            l.tasks.add(task);
            if (!l.running) {
                l.running = true;
                started[0] = l;
            }
            return l;
        });
        if (started[0] != null) {
            executor.execute(started[0]::drain);
        }
    }

    /** The number of rooms with deliveries queued or running (for tests and metrics). */
    public int busy() {
        return lanes.size();
    }

    /** One room's queue of deliveries; its fields are only touched inside the map's compute for the room. */
    private final class Lane {
        private final String room;
        private final Queue<Runnable> tasks = new ArrayDeque<>();
        private boolean running;

        Lane(String room) {
            this.room = room;
        }

        /** Runs the room's tasks until none is left, then ends the lane. */
        void drain() {
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
                }
            }
        }
    }
}
