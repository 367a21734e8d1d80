package dev.parley.wiring;

import dev.parley.cluster.Cluster;
import dev.parley.cluster.UserDirectory;
import dev.parley.config.Settings;
import dev.parley.history.InMemoryMessageStore;
import dev.parley.history.MessageStore;
import dev.parley.history.Sequencer;
import dev.parley.metrics.Meters;
import dev.parley.history.StorageSettings;
import dev.parley.history.jpa.JpaMessageStore;
import dev.parley.session.ConnectionRegistry;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.logging.Logger;

/**
 * Makes the application's {@link MessageStore} (chosen by {@code parley.store}: the database by default,
 * or memory) and the {@link Sequencer} in front of it, at deployment, so the schema is migrated before the
 * first connection; stops the sequencer before the store is closed.
 */
@ApplicationScoped
public class HistoryProducer {

    private static final Logger LOG = Logger.getLogger(HistoryProducer.class.getName());

    @Resource
    ManagedThreadFactory threads;

    @Inject
    ConnectionRegistry connections;
    @Inject
    Meters meters;
    @Inject
    Cluster cluster;
    @Inject
    UserDirectory directory;

    @Produces
    @Singleton
    MessageStore store(Settings settings, StorageSettings storage) {
        if (storage.kind() == StorageSettings.Kind.MEMORY) {
            LOG.info("history kept in memory only (parley.store=memory): it is lost on restart");
            return new InMemoryMessageStore(settings.memoryRetained(), settings.idempotencyWindow());
        }
        return new JpaMessageStore(storage, settings.idempotencyWindow(), threads);
    }

    @Produces
    @Singleton
    Sequencer sequencer(MessageStore store, Settings settings) {
        // In a cluster a recipient is reachable when connected to any node (the nodes forward direct messages).
        java.util.function.Predicate<String> reachable = cluster.active()
                ? user -> connections.isOnline(user) || directory.online(user)
                : connections::isOnline;
        return new Sequencer(store, threads, settings.sequencerCapacity(), settings.sequencerBatch(), reachable,
                meters::batch);
    }

    /** Creates the store and sequencer when the application starts, not on the first connection. */
    void start(@Observes @Initialized(ApplicationScoped.class) Object started, Sequencer sequencer) {
        LOG.fine("history ready");
    }

    void stop(@Disposes Sequencer sequencer) {
        sequencer.stop();
    }

    void close(@Disposes MessageStore store, Sequencer sequencer) {
        sequencer.stop(); // finish the batch in hand first, whichever disposer runs first
        store.close();
    }
}
