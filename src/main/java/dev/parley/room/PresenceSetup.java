package dev.parley.room;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Makes the {@link PresenceSettings} ({@code parley.presence.interval-ms}, {@code parley.presence.large-room}, from
 * MicroProfile Config) and the {@link PresenceCoalescer}, with one timer thread of its own that only hands each due
 * flush to the room's lane (the flush itself runs on the writer threads). The timer stops with the application.
 */
@ApplicationScoped
public class PresenceSetup {

    private static final Logger LOG = Logger.getLogger(PresenceSetup.class.getName());

    @Inject
    Config config;
    @Resource
    ManagedThreadFactory threads;

    private ScheduledThreadPoolExecutor timer;

    @PostConstruct
    void start() {
        timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread t = threads.newThread(task);
            t.setName("parley-presence-timer");
            return t;
        });
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }

    @Produces
    @Singleton
    PresenceSettings settings() {
        PresenceSettings d = PresenceSettings.defaults();
        PresenceSettings s = new PresenceSettings(
                Duration.ofMillis(positive("parley.presence.interval-ms", (int) d.interval().toMillis())),
                positive("parley.presence.large-room", d.largeRoom()));
        LOG.config(() -> "presence settings: " + s);
        return s;
    }

    @Produces
    @Singleton
    PresenceCoalescer coalescer(PresenceSettings settings, RoomLanes lanes) {
        return new PresenceCoalescer(settings, (task, delay) -> {
            try {
                timer.schedule(task, delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                // the application is stopping: nobody is left to tell
            }
        }, lanes);
    }

    private int positive(String name, int fallback) {
        int value = config.getOptionalValue(name, Integer.class).orElse(fallback);
        if (value <= 0) {
            throw new IllegalStateException(name + " must be positive, was " + value);
        }
        return value;
    }
}
