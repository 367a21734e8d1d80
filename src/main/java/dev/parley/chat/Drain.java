package dev.parley.chat;

import dev.parley.history.Sequencer;
import dev.parley.protocol.CloseCodes;
import dev.parley.room.RoomLanes;
import dev.parley.session.ConnectionRegistry;
import dev.parley.session.Peer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * The graceful stop of this node, when the application is stopped or undeployed (before any of its beans is
 * destroyed): from then on readiness is DOWN and new connections are refused with 1001; the messages already
 * received are stored and their acks and broadcasts written (bounded by {@link #LIMIT}); then every connection
 * is closed with 1001 {@code server shutting down}, so clients reconnect elsewhere and recover with
 * {@code since}. Runs on the container's stopping thread, holding no lock.
 */
@ApplicationScoped
public class Drain {

    private static final Logger LOG = Logger.getLogger(Drain.class.getName());
    /** The longest a stop waits for messages in hand to be stored and written before it closes anyway. */
    static final Duration LIMIT = Duration.ofSeconds(10);
    /** The close reason every client gets. */
    public static final String REASON = "server shutting down";

    @Inject
    Sequencer sequencer;
    @Inject
    ConnectionRegistry connections;
    @Inject
    RoomLanes lanes;

    private volatile boolean draining;

    /** True once the node is stopping: readiness is DOWN and new connections are refused. */
    public boolean isDraining() {
        return draining;
    }

    void stopping(@Observes @BeforeDestroyed(ApplicationScoped.class) Object stopping) {
        drain(LIMIT);
    }

    /** Drains as described above, waiting at most {@code limit}; later calls only close what is still open. */
    public void drain(Duration limit) {
        draining = true;
        long deadline = System.nanoTime() + limit.toNanos();
        LOG.info(() -> "draining: refusing new connections, storing the messages in hand, then closing "
                + connections.size() + " connections with 1001");
        // Stored, then handed to the members: the rooms' lanes queue the copies and acks after the sequencer is done.
        boolean stored = await(() -> sequencer.isIdle() && lanes.busy() == 0, deadline);
        boolean written = await(() -> connections.all().stream().allMatch(p -> p.queuedBytes() == 0), deadline);
        if (!stored || !written) {
            LOG.warning(() -> "drain limit of " + limit.toMillis() + " ms reached: "
                    + (stored ? "some frames were not written" : "some messages were not stored or delivered") + "; closing anyway");
        }
        Collection<Peer> open = connections.all();
        open.forEach(p -> p.closeNow(CloseCodes.GOING_AWAY, REASON));
    }

    private static boolean await(BooleanSupplier condition, long deadline) {
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return true;
    }
}
