package dev.parley.chat;

import dev.parley.config.Settings;
import dev.parley.message.Payload;
import dev.parley.metrics.Meters;
import dev.parley.protocol.Text;
import dev.parley.session.IntakeWindow;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Pacing of senders by the pace at which their messages are written out (see {@link IntakeWindow}): the windows of
 * connections, and those of the HTTP API, one per room and one per direct-message recipient. Every wait on any of
 * them takes one of {@code parley.intake.waiters} permits, shared, because the threads that wait (a connection's
 * read, an API request) come from the container's pool that also completes the writes waited for. Waits are counted
 * in {@link Meters}.
 * <p>
 * Why one API window per room rather than one for the whole API: a backend publishing into a room whose readers are
 * slow should be slowed (and at worst refused) in that room only, and never hold up its publishes into other rooms,
 * as Centrifugo's channels are independent. The windows live while they have messages outstanding; idle ones are
 * swept once there are many, so the map stays bounded by the rooms published into within about a lag bound.
 * <p>
 * Thread-safe; nothing here holds a lock, and no wait is longer than the lag bound ({@code parley.outbox.max-lag-ms}).
 */
@ApplicationScoped
public class IntakePacing {

    /** Idle API windows are swept when there are more than this many (and then at twice the number left). */
    private static final int SWEEP_FLOOR = 1024;

    private final Settings settings;
    private final Meters meters;
    private final Semaphore waiters;
    private final IntakeWindow.Waits counted;
    private final Map<String, IntakeWindow> apiWindows = new ConcurrentHashMap<>();
    private volatile int sweepAbove = SWEEP_FLOOR;

    @Inject
    public IntakePacing(Settings settings, Meters meters) {
        this.settings = settings;
        this.meters = meters;
        this.waiters = settings == null ? null : new Semaphore(settings.intakeWaiters());
        this.counted = new IntakeWindow.Waits() {
            @Override
            public void waited(long nanos) {
                meters.intakeWaited(nanos);
            }

            @Override
            public void unpaced() {
                meters.count(Meters.Count.INTAKE_UNPACED);
            }
        };
    }

    /** For CDI's proxy only. */
    protected IntakePacing() {
        this(null, null);
    }

    /** A new connection's intake window: {@code parley.intake.window-bytes}, each message held at most the lag bound. */
    public IntakeWindow connectionWindow() {
        return newWindow();
    }

    /**
     * Admits a backend's publish of {@code text} and {@code data} into {@code room}: waits, on the caller's thread and
     * holding no lock, while the room's API window is over its limit, for at most the lag bound, and opens a receipt
     * for the message in it. The caller hands the receipt to the room service, which lets go of it once the members
     * that read have the message written out. Throws {@link ReadersBehind} (nothing opened) when the window is still
     * over its limit after the wait, or when as many threads wait as may. Never returns null.
     */
    public IntakeWindow.Receipt admitToRoom(String room, String text, Payload data) {
        return admit("#" + room, "room " + room, text, data);
    }

    /** As {@link #admitToRoom}, for a backend's direct message to {@code user} (paced by the user's connections). */
    public IntakeWindow.Receipt admitToUser(String user, String text, Payload data) {
        return admit("@" + user, "user " + user, text, data);
    }

    private IntakeWindow.Receipt admit(String key, String what, String text, Payload data) {
        IntakeWindow window = apiWindows.computeIfAbsent(key, k -> newWindow());
        if (!window.await(settings.outboxMaxLag().toNanos())) {
            meters.count(Meters.Count.INTAKE_REFUSALS);
            throw new ReadersBehind("the readers of " + what + " are behind; nothing was stored", retryAfterSeconds());
        }
        IntakeWindow.Receipt receipt = window.open(outboundBytes(text, data));
        sweepIfMany();
        return receipt;
    }

    /** The lag bound in whole seconds, at least 1: by then the readers have caught up or stopped holding anyone. */
    long retryAfterSeconds() {
        return Math.max(1, (settings.outboxMaxLag().toMillis() + 999) / 1000);
    }

    /** The API windows currently kept (for tests). */
    int apiWindows() {
        return apiWindows.size();
    }

    /**
     * Drops the idle API windows once there are many. A publish that took a window just before it was dropped still
     * counts in it, unseen by later publishes: at most one message per room past the limit, once.
     */
    private void sweepIfMany() {
        if (apiWindows.size() > sweepAbove) {
            apiWindows.values().removeIf(w -> w.outstandingBytes() <= 0);
            sweepAbove = Math.max(SWEEP_FLOOR, 2 * apiWindows.size());
        }
    }

    private IntakeWindow newWindow() {
        return new IntakeWindow(settings.intakeWindowBytes(), settings.outboxMaxLag().toNanos(), System::nanoTime, waiters, counted);
    }

    /** About the size of the frame a message becomes: its text and data, and room for the envelope. */
    static int outboundBytes(String text, Payload data) {
        return (text == null ? 0 : Text.utf8Length(text)) + (data == null ? 0 : data.bytes()) + 200;
    }
}
