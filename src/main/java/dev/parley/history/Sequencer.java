package dev.parley.history;

import dev.parley.message.DirectMessage;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The single writer in front of the {@link MessageStore}. Drafts from every connection queue here; one
 * thread takes them in batches, stores each batch as one unit (group commit) and then runs each draft's
 * callback, in order, on that same thread. So callbacks see messages in seq order, and a message is
 * announced only after it is stored. Submitting never blocks: a full queue is refused at once. The queue
 * is fair: each sender has a lane of its own and batches take from the lanes in turn, so one sender's
 * burst does not hold up everyone else's messages behind it (each sender's own order is kept).
 *
 * <p>Direct messages for a user who cannot be reached are stored <em>held</em>. A connecting user's
 * held messages are released through the same thread ({@link #hold} before the connection becomes
 * reachable, {@link #release} once it is), so held and live direct messages reach the user in id order,
 * each once.
 *
 * <p>Changes to users' conversations ({@link Mark}s: rooms joined and left, read seqs) go through the same thread,
 * in the user's lane, after the messages of the same batch, each batch of them one unit; and {@link #afterPending}
 * runs a task once everything a user submitted before it was handled.
 */
public final class Sequencer {

    private static final Logger LOG = Logger.getLogger(Sequencer.class.getName());

    /** Direct messages released per store call; a user with more gets several deliveries, in order. */
    static final int RELEASE_CHUNK = 500;

    /** Told, on the sequencer's thread, what became of one draft: exactly one argument is non-null. */
    @FunctionalInterface
    public interface Callback {
        void done(Appended appended, RuntimeException failure);
    }

    /** Told, on the sequencer's thread, what became of one mark: exactly one argument is non-null. */
    @FunctionalInterface
    public interface MarkCallback {
        void done(Marked marked, RuntimeException failure);
    }

    private sealed interface Task {
    }

    private record Marking(Mark mark, MarkCallback callback) implements Task {
    }

    private record After(Runnable task) implements Task {
    }

    private record Store(Draft draft, Callback callback) implements Task {
    }

    private record Release(String user, Consumer<List<DirectMessage>> receiver) implements Task {
    }

    // Lane names: a sender's drafts, and releases (which must not wait behind anyone's burst).
    private static String lane(Draft draft) {
        return "from:" + draft.from();
    }

    private static final String RELEASES = "release";

    private final MessageStore store;
    private final Predicate<String> reachable;
    private final IntConsumer batches;
    private final FairQueue<Task> queue;
    private final int maxBatch;
    private final int perSender;
    private final Map<String, Integer> holds = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    /** When the batch in hand was taken ({@link System#nanoTime}), or 0 while waiting for work. */
    private volatile long busySince;

    /** A sequencer for which every recipient counts as reachable: no direct message is ever held. */
    public Sequencer(MessageStore store, ThreadFactory threads, int capacity, int maxBatch) {
        this(store, threads, capacity, maxBatch, user -> true);
    }

    /**
     * @param reachable tells whether a user has an open connection now (asked on the sequencer thread)
     * @param capacity  drafts that may wait before submissions are refused as unavailable
     * @param maxBatch  the most drafts stored in one unit
     */
    public Sequencer(MessageStore store, ThreadFactory threads, int capacity, int maxBatch, Predicate<String> reachable) {
        this(store, threads, capacity, maxBatch, reachable, size -> {
        });
    }

    /**
     * As above, and told the size of every batch stored (one transaction), on the sequencer's thread after it was
     * stored; for metrics, so it must be quick and must not throw.
     */
    public Sequencer(MessageStore store, ThreadFactory threads, int capacity, int maxBatch, Predicate<String> reachable,
                     IntConsumer batches) {
        this.batches = batches;
        this.store = store;
        this.reachable = reachable;
        this.queue = new FairQueue<>(capacity);
        this.maxBatch = maxBatch;
        // A sender's share of one batch: a burst is stored in small batches, each quick to commit, with
        // everyone else's messages in each of them.
        this.perSender = Math.max(1, maxBatch / 10);
        this.thread = threads.newThread(this::run);
        thread.setName("parley-sequencer");
        thread.start();
    }

    /**
     * Queues a draft. The callback runs later on the sequencer thread, or at once on the calling thread
     * with a {@link StoreUnavailableException} when the queue is full or the sequencer stopped.
     */
    public void submit(Draft draft, Callback callback) {
        if (!running || !queue.offer(lane(draft), new Store(draft, callback))) {
            callback.done(null, new StoreUnavailableException(running ? "server busy" : "server shutting down", null));
        }
    }

    /**
     * Queues a change to a user's conversations behind everything the user submitted before. The callback runs
     * later on the sequencer thread, after the mark was stored, or at once on the calling thread with a
     * {@link StoreUnavailableException} when the queue is full or the sequencer stopped.
     */
    public void mark(Mark mark, MarkCallback callback) {
        if (!running || !queue.offer("from:" + mark.user(), new Marking(mark, callback))) {
            callback.done(null, new StoreUnavailableException(running ? "server busy" : "server shutting down", null));
        }
    }

    /**
     * Runs {@code task} on the sequencer thread once every draft and mark {@code user} submitted before was stored
     * (or refused), and after held direct messages released in the same batch; it must be quick (hand work off).
     * Returns false, running nothing, when the queue is full or the sequencer stopped.
     */
    public boolean afterPending(String user, Runnable task) {
        return running && queue.offer("from:" + user, new After(task));
    }

    /**
     * From now until the matching {@link #release}, direct messages to {@code user} are held, even if the
     * user becomes reachable meanwhile. Call before a new connection of the user becomes reachable.
     */
    public void hold(String user) {
        holds.merge(user, 1, Integer::sum);
    }

    /**
     * Ends one {@link #hold}: queues the release of everything held for {@code user}. On the sequencer
     * thread, if the user is reachable then, the held messages are marked delivered and handed to
     * {@code receiver} oldest first (in chunks); before any later direct message is announced. If the queue
     * is full or the store is down, they stay held for the user's next connection.
     */
    public void release(String user, Consumer<List<DirectMessage>> receiver) {
        if (!running || !queue.offer(RELEASES, new Release(user, receiver))) {
            LOG.log(Level.WARNING, "could not queue the release of held direct messages for {0}; they wait for the next connection", user);
            unhold(user);
        }
    }

    /**
     * How long the batch in hand has been in hand (storing and announcing it), zero while the sequencer waits
     * for work; for liveness checks, since a batch normally takes milliseconds. Forever (Long.MAX_VALUE) once the
     * sequencer's thread died while running. Any thread.
     */
    public Duration busyFor() {
        if (running && !thread.isAlive()) {
            return ChronoUnit.FOREVER.getDuration();
        }
        long since = busySince;
        return since == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since);
    }

    /** True when no draft waits and none is in hand: everything submitted so far was stored (or refused) and announced. */
    public boolean isIdle() {
        return queue.size() == 0 && busySince == 0;
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
        queue.drainTo(left, Integer.MAX_VALUE, Integer.MAX_VALUE);
        StoreUnavailableException stopped = new StoreUnavailableException("server shutting down", null);
        for (Task t : left) {
            if (t instanceof Store s) {
                notify(s, null, stopped);
            } else if (t instanceof Marking m) {
                notify(m, null, stopped);
            }
        }
    }

    private void run() {
        List<Task> batch = new ArrayList<>(maxBatch);
        while (running) {
            try {
                if (!queue.await(1, TimeUnit.SECONDS)) {
                    continue;
                }
                // Busy before the drafts leave the queue: otherwise isIdle() could see an empty queue and no
                // batch in hand while this thread holds one (a stop then closed before the batch's acks).
                busySince = Math.max(1, System.nanoTime());
                queue.drainTo(batch, maxBatch, perSender);
                process(batch);
            } catch (InterruptedException e) {
                if (running) {
                    LOG.warning("sequencer interrupted while running; continuing");
                }
            } catch (RuntimeException | Error e) {
                LOG.log(Level.SEVERE, "sequencer loop failed; continuing", e);
            } finally {
                busySince = 0;
                batch.clear();
            }
        }
    }

    /**
     * Releases first, then the drafts: a release hands out messages stored by earlier batches, so it must
     * reach the user before direct messages of this batch, which are announced live.
     */
    private void process(List<Task> batch) {
        List<Store> stores = new ArrayList<>(batch.size());
        List<Marking> marks = new ArrayList<>();
        List<After> afters = new ArrayList<>();
        for (Task t : batch) {
            if (t instanceof Release r) {
                release(r);
            } else if (t instanceof Store s) {
                stores.add(s);
            } else if (t instanceof Marking m) {
                marks.add(m);
            } else {
                afters.add((After) t);
            }
        }
        if (!stores.isEmpty()) {
            commit(stores);
        }
        if (!marks.isEmpty()) {
            mark(marks);
        }
        for (After a : afters) {
            try {
                a.task().run();
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "a task after pending work failed; the others go on", e);
            }
        }
    }

    /** Stores a batch's marks as one unit, after its messages (a read may name a message of the same batch). */
    private void mark(List<Marking> batch) {
        List<Marked> results;
        try {
            results = store.mark(batch.stream().map(Marking::mark).toList());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "store unavailable, refusing {0} conversation changes: {1}",
                    new Object[]{batch.size(), e.getMessage()});
            StoreUnavailableException failure = e instanceof StoreUnavailableException u ? u
                    : new StoreUnavailableException("store failed", e);
            batch.forEach(m -> notify(m, null, failure));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            notify(batch.get(i), results.get(i), null);
        }
    }

    private static void notify(Marking task, Marked marked, RuntimeException failure) {
        try {
            task.callback().done(marked, failure);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "a conversation callback failed; the others go on", e);
        }
    }

    private void release(Release r) {
        try {
            if (!reachable.test(r.user())) {
                return; // gone again: the messages wait for the next connection
            }
            while (true) {
                List<DirectMessage> messages = store.releaseHeld(r.user(), RELEASE_CHUNK);
                if (!messages.isEmpty()) {
                    deliver(r, messages);
                }
                if (messages.size() < RELEASE_CHUNK) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not release held direct messages for {0}; they wait for the next connection: {1}",
                    new Object[]{r.user(), e.toString()});
        } finally {
            unhold(r.user());
        }
    }

    private static void deliver(Release r, List<DirectMessage> messages) {
        try {
            r.receiver().accept(messages);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "delivering released direct messages failed", e);
        }
    }

    private void unhold(String user) {
        holds.computeIfPresent(user, (u, n) -> n == 1 ? null : n - 1);
    }

    private void commit(List<Store> batch) {
        List<Draft> drafts = new ArrayList<>(batch.size());
        for (Store t : batch) {
            Draft d = t.draft();
            if (d instanceof Draft.ToUser u) {
                d = u.held(holds.containsKey(u.to()) || !reachable.test(u.to()));
            }
            drafts.add(d);
        }
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
        batches.accept(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            notify(batch.get(i), results.get(i), null);
        }
    }

    private static void notify(Store task, Appended appended, RuntimeException failure) {
        try {
            task.callback().done(appended, failure);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "a message callback failed; the others go on", e);
        }
    }
}
