package dev.parley.it.support;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A {@link RawClient} for storms: it reads and discards everything on a daemon thread (counting {@code joined}
 * frames), and can vanish at once with a TCP reset, as many clients do together in a network blip or a proxy
 * restart. Cheap enough to run hundreds.
 */
public final class StormClient {

    private static final byte[] JOINED = "{\"type\":\"joined\"".getBytes(StandardCharsets.US_ASCII);

    private final RawClient raw;
    private int joined;
    private boolean ended;

    private StormClient(RawClient raw) {
        this.raw = raw;
    }

    /** Connects, completes the handshake with subprotocol {@code chat}, and starts reading. */
    public static StormClient connect(URI uri) {
        StormClient c = new StormClient(RawClient.connect(uri, "chat"));
        Thread reader = new Thread(c::readLoop, "storm-client");
        reader.setDaemon(true);
        reader.start();
        return c;
    }

    /** Sends one masked text frame. */
    public void send(String text) {
        raw.sendText(text);
    }

    /** Waits until at least {@code count} {@code joined} frames arrived; false on timeout or when the connection ended. */
    public synchronized boolean awaitJoined(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (joined < count && !ended) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return joined >= count;
    }

    /** Drops the connection with a TCP reset: no close frame, no FIN. */
    public void reset() {
        raw.reset();
    }

    private void readLoop() {
        try {
            RawClient.Frame f;
            while ((f = raw.next(Duration.ofMinutes(10))) != null && f.opcode() != RawClient.Frame.CLOSE) {
                byte[] p = f.payload();
                if (f.opcode() == RawClient.Frame.TEXT && p.length >= JOINED.length
                        && Arrays.equals(p, 0, JOINED.length, JOINED, 0, JOINED.length)) {
                    synchronized (this) {
                        joined++;
                        notifyAll();
                    }
                }
            }
        } catch (AssertionError e) {
            // nothing for ten minutes: give up reading
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }
}
