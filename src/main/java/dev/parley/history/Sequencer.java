package dev.parley.history;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The single writer in front of the {@link MessageStore}. Drafts from every connection queue here; one
 * thread takes them in batches, stores each batch as one unit (group commit) and then runs each draft's
 * callback, in order, on that same thread. So callbacks see messages in seq order, and a message is
 * announced only after it is stored. Submitting never blocks: a full queue is refused at once.
 */
public final class Sequencer {

    private static final Logger LOG = Logger.getLogger(Sequencer.class.getName());

    /** Told, on the sequencer's thread, what became of one draft: exactly one argument is non-null. */
    @FunctionalInterface
    public interface Callback {
        void done(Appended appended, RuntimeException failure);
    }

    private record Task(Draft draft, Callback callback) {
    }

    private final MessageStore store;
    private final BlockingQueue<Task> queue;
    private final int maxBatch;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param capacity drafts that may wait before submissions are refused as unavailable
     * @param maxBatch the most drafts stored in one unit
     */
    public Sequencer(MessageStore store, ThreadFactory threads, int capacity, int maxBatch) {
        this.store = store;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxBatch = maxBatch;
        this.thread = threads.newThread(this::run);
        thread.setName("parley-sequencer");
        thread.start();
    }

    /**
     * Queues a draft. The callback runs later on the sequencer thread, or at once on the calling thread
     * with a {@link StoreUnavailableException} when the queue is full or the sequencer stopped.
     */
    public void submit(Draft draft, Callback callback) {
        if (!running || !queue.offer(new Task(draft, callback))) {
            callback.done(null, new StoreUnavailableException(running ? "server busy" : "server shutting down", null));
        }
    }

    /** Drafts waiting, for metrics. */
    public int backlog() {
        return queue.size();
    }

    /** Stops taking drafts, finishes the batch in hand, and refuses what still waits. */
    public void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Task> left = new ArrayList<>();
        queue.drainTo(left);
        StoreUnavailableException stopped = new StoreUnavailableException("server shutting down", null);
        left.forEach(t -> notify(t, null, stopped));
    }

    private void run() {
        List<Task> batch = new ArrayList<>(maxBatch);
        while (running) {
            try {
                Task first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                commit(batch);
            } catch (InterruptedException e) {
                if (running) {
                    LOG.warning("sequencer interrupted while running; continuing");
                }
            } catch (RuntimeException | Error e) {
                LOG.log(Level.SEVERE, "sequencer loop failed; continuing", e);
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Task> batch) {
        List<Draft> drafts = new ArrayList<>(batch.size());
        batch.forEach(t -> drafts.add(t.draft()));
        List<Appended> results;
        try {
            results = store.append(drafts);
        } catch (StoreUnavailableException e) {
            LOG.log(Level.WARNING, "store unavailable, refusing {0} drafts: {1}", new Object[]{batch.size(), e.getMessage()});
            batch.forEach(t -> notify(t, null, e));
            return;
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "store failed, refusing " + batch.size() + " drafts", e);
            batch.forEach(t -> notify(t, null, e));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            notify(batch.get(i), results.get(i), null);
        }
    }

    private static void notify(Task task, Appended appended, RuntimeException failure) {
        try {
            task.callback().done(appended, failure);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "a message callback failed; the others go on", e);
        }
    }
}
