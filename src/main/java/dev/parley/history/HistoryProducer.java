package dev.parley.history;

import dev.parley.config.Settings;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.inject.Singleton;

/** Makes the application's {@link MessageStore} and the {@link Sequencer} in front of it. */
@ApplicationScoped
public class HistoryProducer {

    @Resource
    ManagedThreadFactory threads;

    @Produces
    @Singleton
    MessageStore store(Settings settings) {
        return new InMemoryMessageStore(settings.memoryRetained(), settings.idempotencyWindow());
    }

    @Produces
    @Singleton
    Sequencer sequencer(MessageStore store, Settings settings) {
        return new Sequencer(store, threads, settings.sequencerCapacity(), settings.sequencerBatch());
    }

    void stop(@Disposes Sequencer sequencer) {
        sequencer.stop();
    }
}
