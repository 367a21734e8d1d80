package dev.parley.wiring;

import dev.parley.config.PresenceSettings;
import dev.parley.room.PresenceCoalescer;
import dev.parley.room.RoomLanes;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Makes the {@link PresenceCoalescer}, with one timer thread of its own that only hands each due flush to the
 * room's lane (the flush itself runs on the writer threads). The timer stops with the application.
 */
@ApplicationScoped
public class PresenceProducer {

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
        timer.setRemoveOnCancelPolicy(true);
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }

    @Produces
    @Singleton
    PresenceCoalescer presence(PresenceSettings settings, RoomLanes lanes) {
        return new PresenceCoalescer(settings, (task, delay) -> {
            try {
                timer.schedule(task, delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                // the application is stopping: nobody is left to tell
            }
        }, lanes);
    }
}
