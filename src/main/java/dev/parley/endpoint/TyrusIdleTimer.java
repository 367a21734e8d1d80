package dev.parley.endpoint;

import jakarta.websocket.Session;

import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns off Tyrus's own idle timer for a session, on Payara and GlassFish; elsewhere it does nothing.
 * <p>
 * Tyrus 2.1 restarts a session's idle timer on every frame sent or received, even when no idle timeout is set
 * (it then schedules a task that does nothing). Its scheduler is the container's managed scheduled executor,
 * which captures the sending thread's context for each task (a service-loader scan and a lookup per frame): in
 * the fan-out profile ({@code bench/profiles/fanout-before.html}) that was about 70 % of the time spent sending.
 * Parley does not need the timer: its own {@link dev.parley.security.Watchdog} pings quiet connections and closes
 * silent ones with 4408. So the session's scheduler is swapped for one that schedules nothing, which is safe
 * because Tyrus uses it for the idle timer only (and for its heartbeat, which Parley does not turn on).
 * <p>
 * This reaches into a private field of Tyrus's session ({@code TyrusSession.service}). Where the field is not
 * there or not writable (another Tyrus, another runtime), the session keeps its timer and only speed is lost.
 */
final class TyrusIdleTimer {

    private static final Logger LOG = Logger.getLogger(TyrusIdleTimer.class.getName());
    private static final String TYRUS_SESSION = "org.glassfish.tyrus.core.TyrusSession";
    private static final ScheduledExecutorService NOTHING = new NoScheduling();

    /** Tyrus's scheduler field for each session class: the field, or null where there is none to swap. */
    private static final ClassValue<Field> SCHEDULER = new ClassValue<>() {
        @Override
        protected Field computeValue(Class<?> type) {
            if (!TYRUS_SESSION.equals(type.getName())) {
                return null;
            }
            try {
                Field f = type.getDeclaredField("service");
                if (f.getType() != ScheduledExecutorService.class) {
                    return null;
                }
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException | RuntimeException e) {
                LOG.log(Level.INFO, "Tyrus's idle timer stays on (sending is slower): " + e);
                return null;
            }
        }
    };

    /** Tyrus's server container class, whose scheduler every new session takes (and schedules its timer on). */
    private static final String TYRUS_CONTAINER = "org.glassfish.tyrus.core.BaseContainer";
    private static final String CONTAINER_SCHEDULER = "managedScheduledExecutorService";

    private TyrusIdleTimer() {
    }

    /**
     * Turns the idle timer off for every session the given server container creates from now on, where it can;
     * returns whether it did. A Tyrus session schedules its timer once in its constructor already, on the
     * container's managed scheduler, before {@link #turnOff(Session)} can run: in the connect profile
     * ({@code bench/profiles/churn-quiet-1825.html}) that one scheduling (the managed executor captures the
     * connecting thread's context) was 15 % of the server's CPU per connection. So the container's scheduler,
     * which Tyrus uses for its sessions' idle timers and heartbeats only, is swapped for one that schedules
     * nothing. Elsewhere (not Tyrus, a Tyrus without that field) nothing changes and only speed is lost.
     */
    static boolean turnOffForNewSessions(Object serverContainer) {
        for (Class<?> c = serverContainer == null ? null : serverContainer.getClass(); c != null; c = c.getSuperclass()) {
            if (!TYRUS_CONTAINER.equals(c.getName())) {
                continue;
            }
            try {
                Field f = c.getDeclaredField(CONTAINER_SCHEDULER);
                if (f.getType() != ScheduledExecutorService.class) {
                    return false;
                }
                f.setAccessible(true);
                f.set(serverContainer, NOTHING);
                return true;
            } catch (NoSuchFieldException | IllegalAccessException | RuntimeException e) {
                LOG.log(Level.INFO, "Tyrus's idle timer is scheduled once per new connection (connecting is slower): " + e);
                return false;
            }
        }
        return false;
    }

    /** Turns the runtime's idle timer off for this session where it can; returns whether it did. */
    static boolean turnOff(Session session) {
        Field scheduler = SCHEDULER.get(session.getClass());
        if (scheduler == null) {
            return false;
        }
        try {
            scheduler.set(session, NOTHING);
            return true;
        } catch (IllegalAccessException | RuntimeException e) {
            LOG.log(Level.FINE, "could not turn Tyrus's idle timer off", e);
            return false;
        }
    }

    /** A scheduler that never runs anything: every task it is given is cancelled at once. */
    private static final class NoScheduling extends AbstractExecutorService implements ScheduledExecutorService {

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            return Cancelled.INSTANCE;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
            return (ScheduledFuture<V>) Cancelled.INSTANCE;
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
            return Cancelled.INSTANCE;
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
            return Cancelled.INSTANCE;
        }

        /** Nothing is run here: a task handed over directly is dropped, as a scheduled one would be cancelled. */
        @Override
        public void execute(Runnable command) {
            LOG.fine("Tyrus asked to run a task on the idle timer's scheduler; dropped");
        }

        @Override
        public void shutdown() {
        }

        @Override
        public List<Runnable> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return false;
        }
    }

    /** The future of a task that was never run. */
    private static final class Cancelled implements ScheduledFuture<Object> {
        static final Cancelled INSTANCE = new Cancelled();

        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(0, other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return true;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public Object get() {
            throw new java.util.concurrent.CancellationException("never scheduled");
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            throw new java.util.concurrent.CancellationException("never scheduled");
        }
    }
}
