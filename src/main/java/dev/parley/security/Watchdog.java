package dev.parley.security;

import dev.parley.config.Settings;
import dev.parley.protocol.CloseCodes;
import dev.parley.session.ConnectionGuard;
import dev.parley.session.ConnectionRegistry;
import dev.parley.session.Peer;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Looks at every connection a few times per idle timeout: pings the quiet ones (a WebSocket ping, which
 * browsers answer by themselves, so a quiet but healthy tab stays open), closes with 4408 those heard from
 * neither by frame nor by pong for the idle timeout, closes with 4401 those whose token expired, and drops
 * the state of connections whose close did not complete within the grace period (a peer that vanished
 * without a FIN), so a half-open connection never holds memory for ever. Starts with the application.
 */
@ApplicationScoped
public class Watchdog {

    private static final Logger LOG = Logger.getLogger(Watchdog.class.getName());

    @Inject
    ConnectionRegistry connections;
    @Inject
    SecuritySettings settings;
    @Inject
    Settings parley;
    @Inject
    Authenticator authenticator;
    @Resource
    ManagedScheduledExecutorService scheduler;

    private ScheduledFuture<?> task;

    void start(@Observes @Initialized(ApplicationScoped.class) Object init) {
        authenticator.tokenMode(); // creates it now: logs the mode, and a bad key stops the deployment
        long tick = tickMillis();
        task = scheduler.scheduleWithFixedDelay(this::sweep, tick, tick, TimeUnit.MILLISECONDS);
        LOG.info(() -> "heartbeat: idle timeout " + settings.idleTimeout().toMillis() + " ms, checked every " + tick + " ms");
    }

    @PreDestroy
    void stop() {
        if (task != null) {
            task.cancel(false);
        }
    }

    /** A sweep every sixth of the idle timeout, at most each second and at least each 50 ms. */
    long tickMillis() {
        return Math.max(50, Math.min(1000, settings.idleTimeout().toMillis() / 6));
    }

    /** One pass over all connections; never throws (a failure for one connection does not stop the others). */
    void sweep() {
        long now = System.nanoTime();
        Instant wall = Instant.now();
        long idle = settings.idleTimeout().toNanos();
        long pingInterval = idle / 3;
        // A closing peer closes its transport itself after the close grace; state still there after twice
        // that belongs to a connection whose close never completed.
        long grace = 2 * parley.closeGrace().toNanos();
        for (Peer p : connections.all()) {
            try {
                check(p, now, wall, idle, pingInterval, grace);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "watchdog failed for " + p, e);
            }
        }
    }

    private void check(Peer p, long now, Instant wall, long idle, long pingInterval, long grace) {
        ConnectionGuard g = p.guard();
        long closing = g.closingFor(now, p.isClosed());
        if (closing >= 0) {
            if (closing > grace) {
                LOG.fine(() -> "dropping " + p + ": its close did not complete within the grace period");
                p.release();
            }
            return;
        }
        Instant expires = p.identity().expires();
        if (expires != null && !wall.isBefore(expires)) {
            p.close(CloseCodes.UNAUTHORIZED, "token expired");
            return;
        }
        long quiet = g.quietFor(now);
        if (quiet >= idle) {
            LOG.fine(() -> "closing " + p + ": idle for " + TimeUnit.NANOSECONDS.toMillis(quiet) + " ms");
            p.close(CloseCodes.IDLE_TIMEOUT, "idle timeout");
        } else if (quiet >= pingInterval && g.pingDue(now, pingInterval)) {
            try {
                p.ping();
            } catch (RejectedExecutionException e) {
                // shutting down
            }
        }
    }
}
