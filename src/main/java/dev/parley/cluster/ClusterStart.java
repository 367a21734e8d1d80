package dev.parley.cluster;

import dev.parley.history.StorageSettings;
import dev.parley.room.RoomLanes;
import dev.parley.session.OutboundWriters;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts this node's part of the cluster when the application starts, if it runs clustered: refuses a database that
 * other nodes cannot share, subscribes the node's own topic (room messages to sequence, owners' answers, frames and
 * releases for its users), and runs the cluster's threads (presence, signals) and timers (unanswered messages, rooms
 * no longer followed). Stops them on undeploy.
 * Does nothing on a single node.
 */
@ApplicationScoped
public class ClusterStart {

    private static final Logger LOG = Logger.getLogger(ClusterStart.class.getName());

    @Inject
    Cluster cluster;
    @Inject
    StorageSettings storage;
    @Inject
    RoomRouter router;
    @Inject
    ClusterPresence presence;
    @Inject
    UserDirectory directory;
    @Inject
    SignalRelay signals;
    @Inject
    OutboundWriters writers;
    @Inject
    RoomLanes lanes;
    @Resource
    ManagedThreadFactory threads;

    private Runnable inbox;
    private ScheduledExecutorService timer;
    private ExecutorService presenceThread;
    private ExecutorService signalThread;

    void started(@Observes @Initialized(ApplicationScoped.class) Object started) {
        if (!cluster.active()) {
            return;
        }
        refuseUnsharedStore(storage);
        // The grid calls in on its own threads, which have no application context: a bean whose container resources
        // (@Resource) were first looked up there would get none (Payara). So make those beans here, on a container thread.
        writers.stalledFor();
        lanes.busy();
        Grid grid = cluster.grid();
        presenceThread = Executors.newSingleThreadExecutor(threads);
        timer = Executors.newSingleThreadScheduledExecutor(threads);
        router.start(timer);
        presence.start(presenceThread);
        signalThread = Executors.newSingleThreadExecutor(threads);
        signals.start(signalThread);
        directory.start(timer);
        grid.onNodeJoined(node -> LOG.info(() -> "Parley: node " + node + " joined; the cluster has " + grid.nodes().size() + " nodes"));
        grid.onNodeLeft(node -> LOG.info(() -> "Parley: node " + node + " left; the cluster has " + grid.nodes().size() + " nodes"));
        inbox = grid.subscribe(Cluster.nodeTopic(grid.localNode()), this::mail);
        timer.scheduleWithFixedDelay(guarded(router::resendOverdue), 250, 250, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(guarded(router::sweep), 10, 10, TimeUnit.SECONDS);
        LOG.info(() -> "Parley: node " + grid.localNode() + " of a cluster of " + grid.nodes().size()
                + " on Payara Micro's Hazelcast; rooms are sequenced by their partition's owner");
    }

    /**
     * A clustered node must share its history with the others: the embedded database (a file of this node's) or
     * memory would give each node a history of its own, and two nodes the same seqs.
     */
    static void refuseUnsharedStore(StorageSettings storage) {
        if (storage.kind() == StorageSettings.Kind.MEMORY || storage.embedded()) {
            throw new IllegalStateException("Parley refuses to start clustered on "
                    + (storage.kind() == StorageSettings.Kind.MEMORY ? "history kept in memory" : "the embedded database")
                    + ": every node of a cluster must use the same PostgreSQL database (set PARLEY_DB_URL, PARLEY_DB_USER, "
                    + "PARLEY_DB_PASSWORD on every node), or run this node alone with Payara Micro's --nocluster");
        }
    }

    private void mail(String text) {
        NodeMail mail;
        try {
            mail = NodeMail.decode(text);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "dropped unreadable mail from another node", e);
            return;
        }
        dispatch(mail, router, directory);
    }

    /** Hands mail for this node to the class whose business it is. */
    static void dispatch(NodeMail mail, RoomRouter router, UserDirectory directory) {
        if (mail instanceof NodeMail.Sequence s) {
            router.sequence(s.origin(), s.ticket(), s.draft());
        } else if (mail instanceof NodeMail.Sequenced || mail instanceof NodeMail.Failed) {
            router.answered(mail);
        } else {
            directory.deliverHere(mail);
        }
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a cluster timer task failed; it runs again", e);
            }
        };
    }

    @PreDestroy
    void stop() {
        if (inbox != null) {
            try {
                inbox.run();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "could not unsubscribe the node's topic on the way out", e);
            }
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        if (presenceThread != null) {
            presenceThread.shutdownNow();
        }
        if (signalThread != null) {
            signalThread.shutdownNow();
        }
    }
}
