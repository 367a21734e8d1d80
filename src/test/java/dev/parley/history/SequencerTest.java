package dev.parley.history;

import dev.parley.message.DirectMessage;
import dev.parley.message.RoomMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SequencerTest {

    private final List<Sequencer> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(Sequencer::stop);
    }

    /** An in-memory store that runs a hook before each append (to fail or to stall it). */
    private static final class Intercepted implements MessageStore {
        private final InMemoryMessageStore real = new InMemoryMessageStore(100, Duration.ofHours(24));
        private final java.util.function.Consumer<List<Draft>> before;

        Intercepted(java.util.function.Consumer<List<Draft>> before) {
            this.before = before;
        }

        @Override
        public List<Appended> append(List<Draft> drafts) {
            before.accept(drafts);
            return real.append(drafts);
        }

        @Override
        public List<DirectMessage> releaseHeld(String user, int limit) {
            return real.releaseHeld(user, limit);
        }

        @Override
        public List<RoomMessage> page(String room, Long before, int limit) {
            return real.page(room, before, limit);
        }

        @Override
        public Recovery since(String room, long since, int limit) {
            return real.since(room, since, limit);
        }

        @Override
        public List<Marked> mark(List<Mark> marks) {
            return real.mark(marks);
        }

        @Override
        public List<DirectMessage> directPage(String user, String with, Long before, int limit) {
            return real.directPage(user, with, before, limit);
        }

        @Override
        public DirectRecovery directSince(String user, String with, long since, int limit) {
            return real.directSince(user, with, since, limit);
        }

        @Override
        public List<Conversation> conversations(String user) {
            return real.conversations(user);
        }

        @Override
        public String epoch() {
            return real.epoch();
        }
    }

    private Sequencer sequencer(MessageStore store, int capacity) {
        Sequencer s = new Sequencer(store, Thread::new, capacity, 100);
        started.add(s);
        return s;
    }

    private static Draft draft(String room, String ref) {
        return new Draft.ToRoom(room, "alice", "hi", ref, Instant.now());
    }

    @Test
    void callbacksRunInSeqOrderOnOneThreadAfterStoring() throws InterruptedException {
        InMemoryMessageStore store = new InMemoryMessageStore(10_000, Duration.ofHours(24));
        Sequencer s = sequencer(store, 10_000);
        List<Long> seqs = Collections.synchronizedList(new ArrayList<>());
        List<String> threads = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(5000);
        for (int i = 0; i < 5000; i++) {
            s.submit(draft("r", "ref" + i), (appended, failure) -> {
                RoomMessage m = (RoomMessage) appended.message();
                assertEquals(m, store.page("r", m.seq() + 1, 1).get(0), "stored before announced");
                seqs.add(m.seq());
                threads.add(Thread.currentThread().getName());
                done.countDown();
            });
        }
        assertTrue(done.await(30, TimeUnit.SECONDS));
        for (int i = 0; i < seqs.size(); i++) {
            assertEquals(i + 1, seqs.get(i));
        }
        assertEquals(1, threads.stream().distinct().count());
    }

    @Test
    void aFailingStoreRefusesTheWholeBatchAndTheNextBatchStillRuns() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        MessageStore flaky = new Intercepted(drafts -> {
            if (calls.incrementAndGet() == 1) {
                throw new StoreUnavailableException("database down", null);
            }
        });
        Sequencer s = sequencer(flaky, 100);
        List<Object> outcomes = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch first = new CountDownLatch(1);
        s.submit(draft("r", "a"), (appended, failure) -> {
            outcomes.add(failure);
            first.countDown();
        });
        assertTrue(first.await(10, TimeUnit.SECONDS));
        CountDownLatch second = new CountDownLatch(1);
        s.submit(draft("r", "a"), (appended, failure) -> {
            outcomes.add(appended);
            second.countDown();
        });
        assertTrue(second.await(10, TimeUnit.SECONDS));
        assertInstanceOf(StoreUnavailableException.class, outcomes.get(0));
        assertEquals(1, ((RoomMessage) ((Appended) outcomes.get(1)).message()).seq(), "the refused draft took no seq");
    }

    @Test
    void aFullQueueIsRefusedAtOnceOnTheCallingThread() throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        MessageStore slow = new Intercepted(drafts -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Sequencer s = sequencer(slow, 2);
        s.submit(draft("r", "in-hand"), (appended, failure) -> { });
        assertTrue(entered.await(10, TimeUnit.SECONDS), "the first draft is being stored");
        Thread caller = Thread.currentThread();
        List<RuntimeException> refusedHere = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            s.submit(draft("r", "x" + i), (appended, failure) -> {
                if (failure != null && Thread.currentThread() == caller) {
                    refusedHere.add(failure);
                }
            });
        }
        release.countDown();
        assertEquals(8, refusedHere.size(), "two fit in the queue, the other eight are refused at once");
        assertEquals("server busy", refusedHere.get(0).getMessage());
    }

    @Test
    void aBurstFromOneSenderDoesNotHoldUpAnotherSendersMessage() throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        MessageStore gated = new Intercepted(drafts -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Sequencer s = new Sequencer(gated, Thread::new, 10_000, 10);
        started.add(s);
        s.submit(new Draft.ToRoom("r", "flooder", "x", "first", Instant.now()), (a, f) -> { });
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch all = new CountDownLatch(1001);
        for (int i = 0; i < 1000; i++) {
            s.submit(new Draft.ToRoom("r", "flooder", "x", "f" + i, Instant.now()), (a, f) -> {
                order.add(a.message() instanceof RoomMessage m ? m.ref() : "?");
                all.countDown();
            });
        }
        s.submit(new Draft.ToRoom("r", "alice", "hi", "a1", Instant.now()), (a, f) -> {
            order.add("a1");
            all.countDown();
        });
        release.countDown();
        assertTrue(all.await(30, TimeUnit.SECONDS));
        assertTrue(order.indexOf("a1") < 10, "alice's message went in the first batch after the burst began, at "
                + order.indexOf("a1"));
        List<String> flood = order.stream().filter(r -> r.startsWith("f")).toList();
        assertEquals(java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "f" + i).toList(), flood,
                "the flooder's own order is kept");
    }
}
