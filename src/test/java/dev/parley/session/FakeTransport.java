package dev.parley.session;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A transport in memory, for every unit test that needs one: records each frame sent and each close, completes
 * sends at once or only when told (to play a client that stops reading), counts overlapping sends (which must
 * never happen), and optionally accepts pings and records their payloads. Thread-safe; it never calls a send's
 * completion while holding its own lock.
 */
public final class FakeTransport implements Transport {

    /** One close the transport was asked for. */
    public record Close(int code, String reason) {
    }

    private final List<String> sent = new ArrayList<>();
    private final List<Consumer<Throwable>> pending = new ArrayList<>();
    private final List<Close> closes = new ArrayList<>();
    private final List<byte[]> pings = new ArrayList<>();
    private final List<Integer> writes = new ArrayList<>();
    private boolean manual;
    private boolean pinging;
    private int batchBytes;
    private int inFlight;
    private int overlaps;

    /** Sends complete only through {@link #completeNext}. */
    public synchronized FakeTransport manual() {
        manual = true;
        return this;
    }

    /**
     * From now on sends never complete unless {@link #completeNext} is called: a client that stopped reading.
     * The same as {@link #manual()}, for a transport already in use.
     */
    public FakeTransport stall() {
        return manual();
    }

    /** Pings are accepted (and recorded, see {@link #pings()}) instead of refused as the default transport does. */
    public synchronized FakeTransport pinging() {
        pinging = true;
        return this;
    }

    /** Frames are written up to {@code bytes} at once, as a runtime that takes prepared frames does. */
    public synchronized FakeTransport batching(int bytes) {
        batchBytes = bytes;
        return this;
    }

    @Override
    public synchronized int batchBytes() {
        return batchBytes;
    }

    @Override
    public void send(List<EncodedFrame> frames, Consumer<Throwable> done) {
        synchronized (this) {
            int bytes = frames.stream().mapToInt(EncodedFrame::bytes).sum();
            if (frames.size() < 2 || bytes > batchBytes) {
                throw new AssertionError("a batch of " + frames.size() + " frames, " + bytes + " bytes, over " + batchBytes);
            }
        }
        write(frames.stream().map(EncodedFrame::text).toList(), done);
    }

    @Override
    public void sendText(String text, Consumer<Throwable> done) {
        write(List.of(text), done);
    }

    private void write(List<String> texts, Consumer<Throwable> done) {
        synchronized (this) {
            if (inFlight > 0) {
                overlaps++;
            }
            inFlight++;
            sent.addAll(texts);
            writes.add(texts.size());
            if (manual) {
                pending.add(done);
                return;
            }
            inFlight--;
        }
        done.accept(null);
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
        closes.add(new Close(code, reason));
    }

    @Override
    public synchronized boolean ping(byte[] payload) {
        if (!pinging) {
            return false;
        }
        pings.add(payload.clone());
        return true;
    }

    /** Every frame sent so far, in order. */
    public synchronized List<String> sent() {
        return List.copyOf(sent);
    }

    /** How many frames each write so far carried, in order. */
    public synchronized List<Integer> writes() {
        return List.copyOf(writes);
    }

    /** How many frames were sent so far. */
    public synchronized int count() {
        return sent.size();
    }

    /** The frames sent from index {@code mark} (an earlier {@link #count()}) on. */
    public synchronized List<String> since(int mark) {
        return List.copyOf(sent.subList(mark, sent.size()));
    }

    /** How often a send started while another was in flight. */
    public synchronized int overlaps() {
        return overlaps;
    }

    /** Every close asked for, in order. */
    public synchronized List<Close> closes() {
        return List.copyOf(closes);
    }

    /** The code of the first close, or null while none was asked for. */
    public synchronized Integer closeCode() {
        return closes.isEmpty() ? null : closes.get(0).code();
    }

    /** The reason of the first close, or null while none was asked for. */
    public synchronized String closeReason() {
        return closes.isEmpty() ? null : closes.get(0).reason();
    }

    /** The payloads of the pings accepted so far (only when {@link #pinging()}). */
    public synchronized List<byte[]> pings() {
        return List.copyOf(pings);
    }
}
