package dev.parley.session;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A transport in memory: records what is sent, completes sends at once or only when told (to play a
 * client that stops reading), and counts overlapping sends, which must never happen.
 */
public final class FakeTransport implements Transport {

    private final List<String> sent = new ArrayList<>();
    private final List<Consumer<Throwable>> pending = new ArrayList<>();
    private boolean manual;
    private int inFlight;
    private int overlaps;
    private Integer closeCode;
    private String closeReason;

    /** Sends complete only through {@link #completeNext}. */
    public FakeTransport manual() {
        manual = true;
        return this;
    }

    @Override
    public synchronized void sendText(String text, Consumer<Throwable> done) {
        if (inFlight > 0) {
            overlaps++;
        }
        inFlight++;
        sent.add(text);
        if (manual) {
            pending.add(done);
        } else {
            inFlight--;
            done.accept(null);
        }
    }

    /** Completes the oldest pending send, with a failure or null. Returns false when none is pending. */
    public boolean completeNext(Throwable failure) {
        Consumer<Throwable> done;
        synchronized (this) {
            if (pending.isEmpty()) {
                return false;
            }
            done = pending.remove(0);
            inFlight--;
        }
        done.accept(failure);
        return true;
    }

    @Override
    public synchronized void close(int code, String reason) {
        closeCode = code;
        closeReason = reason;
    }

    public synchronized List<String> sent() {
        return List.copyOf(sent);
    }

    public synchronized int overlaps() {
        return overlaps;
    }

    public synchronized Integer closeCode() {
        return closeCode;
    }

    public synchronized String closeReason() {
        return closeReason;
    }
}
