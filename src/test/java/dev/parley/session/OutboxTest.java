package dev.parley.session;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutboxTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final AtomicLong overflowedAt = new AtomicLong(-1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Outbox.Listener listener = new Outbox.Listener() {
        @Override
        public void overflowed(long queuedBytes) {
            overflowedAt.set(queuedBytes);
        }

        @Override
        public void failed(Throwable cause) {
            failure.set(cause);
        }
    };

    private static EncodedFrame frame(String text) {
        return EncodedFrame.of(text);
    }

    @Test
    void sendsInOrderOneAtATime() {
        FakeTransport t = new FakeTransport().manual();
        Outbox box = new Outbox(t, 1000, Runnable::run, listener);
        for (int i = 0; i < 5; i++) {
            assertTrue(box.offer(frame("f" + i)));
        }
        assertEquals(List.of("f0"), t.sent(), "the next frame waits for the first to complete");
        while (t.completeNext(null)) {
            // each completion starts the next send
        }
        assertEquals(List.of("f0", "f1", "f2", "f3", "f4"), t.sent());
        assertEquals(0, t.overlaps());
        assertEquals(0, box.queuedBytes());
    }

    @Test
    void aConnectionBehindABurstGetsTheWaitingFramesInOneWriteInOrder() {
        FakeTransport t = new FakeTransport().manual().batching(100);
        Outbox box = new Outbox(t, 1000, Runnable::run, listener);
        for (int i = 0; i < 5; i++) {
            assertTrue(box.offer(frame("f" + i)));
        }
        assertTrue(t.completeNext(null));             // f0 written: the four behind it go as one write
        assertEquals(List.of(1, 4), t.writes());
        assertEquals(8, box.queuedBytes(), "the batch counts until it is written");
        assertTrue(t.completeNext(null));
        assertEquals(List.of("f0", "f1", "f2", "f3", "f4"), t.sent());
        assertEquals(0, box.queuedBytes());
        assertEquals(0, t.overlaps());
    }

    @Test
    void aBatchStopsAtTheTransportsLimitAndAFrameOverItGoesAlone() {
        FakeTransport t = new FakeTransport().manual().batching(10);
        Outbox box = new Outbox(t, 1000, Runnable::run, listener);
        assertTrue(box.offer(frame("abcd")));          // in flight
        for (String f : List.of("bbbb", "cccc", "dddd", "x".repeat(12), "eeee")) {
            assertTrue(box.offer(frame(f)));
        }
        while (t.completeNext(null)) {
            // each completion sends the next batch
        }
        assertEquals(List.of(1, 2, 1, 1, 1), t.writes(), "4+4 bytes together; 4+12 over 10; 12 alone; 4");
        assertEquals(List.of("abcd", "bbbb", "cccc", "dddd", "x".repeat(12), "eeee"), t.sent());
        assertEquals(0, box.queuedBytes());
    }

    @Test
    void framesInABatchHoldTheirReceiptsUntilTheWholeWriteIsDone() {
        FakeTransport t = new FakeTransport().manual().batching(100);
        Outbox box = new Outbox(t, new Outbox.Bounds(1000, 1000, 100 * SECOND), System::nanoTime, Runnable::run, listener);
        IntakeWindow window = new IntakeWindow(1, 100 * SECOND, System::nanoTime);
        assertTrue(box.offer(frame("first")));         // in flight
        for (int i = 0; i < 3; i++) {
            IntakeWindow.Receipt r = window.open(10);
            assertTrue(box.enqueue(frame("m" + i), r));
            r.done();
        }
        assertTrue(t.completeNext(null));             // the three go as one write
        assertEquals(List.of(1, 3), t.writes());
        assertEquals(30, window.outstandingBytes(), "written out only when the write completes");
        assertTrue(t.completeNext(null));
        assertEquals(0, window.outstandingBytes());
    }

    @Test
    void aFailedBatchClosesTheOutboxAndLetsGoOfEveryReceipt() {
        FakeTransport t = new FakeTransport().manual().batching(100);
        Outbox box = new Outbox(t, new Outbox.Bounds(1000, 1000, 100 * SECOND), System::nanoTime, Runnable::run, listener);
        IntakeWindow window = new IntakeWindow(1, 100 * SECOND, System::nanoTime);
        assertTrue(box.offer(frame("first")));
        for (int i = 0; i < 3; i++) {
            IntakeWindow.Receipt r = window.open(10);
            assertTrue(box.enqueue(frame("m" + i), r));
            r.done();
        }
        assertTrue(t.completeNext(null));
        assertTrue(t.completeNext(new IOException("gone")));
        assertTrue(box.isClosed());
        assertTrue(failure.get() instanceof IOException);
        assertEquals(0, window.outstandingBytes());
        assertEquals(0, box.queuedBytes());
    }

    @Test
    void aClientThatKeepsUpIsNotClosedOverTheBoundUntilItLags() {
        AtomicLong now = new AtomicLong();
        FakeTransport t = new FakeTransport().manual();
        Outbox box = new Outbox(t, new Outbox.Bounds(10, 1000, SECOND), now::get, Runnable::run, listener);
        assertTrue(box.offer(frame("12345")));        // in flight
        assertTrue(box.offer(frame("1234567890")));   // 10 waiting: the bound
        assertTrue(box.offer(frame("abc")), "over the bound, but the oldest frame waited no time: kept");
        now.addAndGet(SECOND / 2);
        assertTrue(t.completeNext(null));             // progress: the first is written
        assertTrue(box.offer(frame("defghij")));     // 10 waiting behind the frame in flight
        now.addAndGet(SECOND / 2 + 1);                // the frame now in flight has waited just over the lag bound
        assertTrue(box.lags(now.get()));
        assertFalse(box.offer(frame("g")), "over the bound and lagging: a slow consumer");
        assertTrue(box.isClosed());
        assertTrue(overflowedAt.get() > 10);
    }

    @Test
    void theHardBoundClosesEvenAClientThatKeepsUp() {
        AtomicLong now = new AtomicLong();
        FakeTransport t = new FakeTransport().manual();
        Outbox box = new Outbox(t, new Outbox.Bounds(10, 20, SECOND), now::get, Runnable::run, listener);
        assertTrue(box.offer(frame("in flight")));
        assertTrue(box.offer(frame("1234567890")));
        assertTrue(box.offer(frame("1234567890")));   // 20 waiting: the hard bound, not lagging
        assertFalse(box.offer(frame("1")));
        assertTrue(box.isClosed());
    }

    @Test
    void aFrameHoldsItsReceiptUntilWrittenUnlessTheClientLags() {
        AtomicLong now = new AtomicLong();
        FakeTransport t = new FakeTransport().manual();
        Outbox box = new Outbox(t, new Outbox.Bounds(1000, 1000, SECOND), now::get, Runnable::run, listener);
        IntakeWindow window = new IntakeWindow(1, 100 * SECOND, now::get);
        IntakeWindow.Receipt first = window.open(100);
        assertTrue(box.enqueue(frame("m1"), first));
        first.done(); // handed to every outbox
        box.flush();
        assertEquals(100, window.outstandingBytes(), "in flight: still held");
        assertTrue(t.completeNext(null));
        assertEquals(0, window.outstandingBytes(), "written: let go");

        assertTrue(box.offer(frame("stuck")));        // a send that never completes
        now.addAndGet(2 * SECOND);                    // the client stopped reading two seconds ago
        IntakeWindow.Receipt late = window.open(100);
        assertTrue(box.enqueue(frame("m2"), late));
        late.done();
        assertEquals(0, window.outstandingBytes(), "a lagging client holds no sender");
    }

    @Test
    void droppedFramesLetGoOfTheirReceipts() {
        FakeTransport t = new FakeTransport().manual();
        Outbox box = new Outbox(t, new Outbox.Bounds(1000, 1000, SECOND), System::nanoTime, Runnable::run, listener);
        IntakeWindow window = new IntakeWindow(1, SECOND, System::nanoTime);
        IntakeWindow.Receipt inFlight = window.open(10);
        IntakeWindow.Receipt waiting = window.open(20);
        assertTrue(box.offer(frame("first")));
        box.enqueue(frame("m1"), inFlight);
        box.enqueue(frame("m2"), waiting);
        inFlight.done();
        waiting.done();
        box.close();                                  // m1 and m2 dropped
        assertEquals(0, window.outstandingBytes());
        assertTrue(t.completeNext(new IOException("gone")));
        assertEquals(0, window.outstandingBytes());
    }

    @Test
    void sendsCompletingOnTheCallingThreadDoNotRecurse() {
        FakeTransport t = new FakeTransport(); // completes inline, as Tyrus may
        Outbox box = new Outbox(t, Long.MAX_VALUE, Runnable::run, listener);
        IntStream.range(0, 100_000).forEach(i -> box.offer(frame("x")));
        assertEquals(100_000, t.sent().size()); // a recursive pump would have overflowed the stack
        assertEquals(0, box.queuedBytes());
    }

    @Test
    void overflowingTheByteBoundClosesTheOutboxOnceAndDropsItsFrames() {
        FakeTransport t = new FakeTransport().manual();
        Outbox box = new Outbox(t, 10, Runnable::run, listener);
        assertTrue(box.offer(frame("12345")));       // in flight
        assertTrue(box.offer(frame("1234567890")));  // waits behind it: 10 bytes, the bound
        assertFalse(box.offer(frame("1")));          // 11 bytes waiting: over the bound
        assertEquals(15, overflowedAt.get());
        assertTrue(box.isClosed());
        assertFalse(box.offer(frame("1")));
        assertTrue(t.completeNext(null));
        assertEquals(List.of("12345"), t.sent(), "the waiting frame was dropped, not sent");
        assertEquals(0, box.queuedBytes(), "nothing stays referenced");
    }

    @Test
    void aSingleFrameLargerThanTheBoundIsAcceptedWhenNothingWaitsAndTheBoundCountsWhatWaitsBehindIt() {
        FakeTransport t = new FakeTransport().manual();
        Outbox box = new Outbox(t, 10, Runnable::run, listener);
        assertTrue(box.offer(frame("x".repeat(50)))); // in flight (a join's large history, say)
        assertEquals(-1, overflowedAt.get());
        assertTrue(box.offer(frame("y")), "a small frame behind a large one in flight: the reader is reading");
        assertFalse(box.offer(frame("z".repeat(10)))); // 11 bytes waiting behind it
        assertEquals(51, overflowedAt.get());
    }

    @Test
    void countsUtf8BytesNotCharacters() {
        FakeTransport t = new FakeTransport().manual();
        Outbox box = new Outbox(t, 100, Runnable::run, listener);
        box.offer(frame("é".repeat(10)));    // 20 bytes
        box.offer(frame("\uD83D\uDE00".repeat(10))); // 40 bytes
        assertEquals(60, box.queuedBytes());
    }

    @Test
    void aFailedSendClosesTheOutboxAndReportsOnce() {
        FakeTransport t = new FakeTransport().manual();
        Outbox box = new Outbox(t, 1000, Runnable::run, listener);
        box.offer(frame("a"));
        box.offer(frame("b"));
        IOException broken = new IOException("broken pipe");
        t.completeNext(broken);
        assertEquals(broken, failure.get());
        assertTrue(box.isClosed());
        assertFalse(t.completeNext(null), "b was never sent");
        assertEquals(0, box.queuedBytes());
    }

    @Test
    void settlesOnlyOnceClosedAndTheSendInFlightCompleted() {
        FakeTransport t = new FakeTransport().manual();
        Outbox box = new Outbox(t, 1000, Runnable::run, listener);
        box.offer(frame("a"));
        box.close();
        assertFalse(box.settled().toCompletableFuture().isDone(), "a is still being written");
        t.completeNext(null);
        assertTrue(box.settled().toCompletableFuture().isDone());

        Outbox idle = new Outbox(new FakeTransport(), 1000, Runnable::run, listener);
        idle.close();
        assertTrue(idle.settled().toCompletableFuture().isDone());
    }

    @Test
    void concurrentOffersAreAllSentWithoutOverlap() throws InterruptedException {
        FakeTransport t = new FakeTransport();
        Outbox box = new Outbox(t, Long.MAX_VALUE, Runnable::run, listener);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        for (int p = 0; p < 4; p++) {
            int producer = p;
            pool.execute(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                for (int i = 0; i < 10_000; i++) {
                    box.offer(frame(producer + ":" + i));
                }
            });
        }
        start.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        List<String> sent = t.sent();
        assertEquals(40_000, sent.size());
        assertEquals(0, t.overlaps());
        for (int p = 0; p < 4; p++) {
            String prefix = p + ":";
            List<Integer> order = new ArrayList<>();
            sent.stream().filter(s -> s.startsWith(prefix)).forEach(s -> order.add(Integer.parseInt(s.substring(prefix.length()))));
            assertEquals(IntStream.range(0, 10_000).boxed().toList(), order, "each producer's frames in its order");
        }
        assertNull(failure.get());
    }

    @Test
    void anOfferOnlyQueuesTheWritingAndTheOverflowReportHappenOnTheWriter() {
        FakeTransport t = new FakeTransport();
        List<Runnable> writer = new ArrayList<>();
        Outbox box = new Outbox(t, 10, writer::add, listener);
        assertTrue(box.offer(frame("12345")));
        assertTrue(box.offer(frame("12345")));
        assertEquals(List.of(), t.sent(), "nothing was written on the offering thread");
        assertFalse(box.offer(frame("1")));
        assertEquals(-1, overflowedAt.get(), "the overflow is not reported on the offering thread");
        assertEquals(2, writer.size(), "one drain and one report were handed to the writer");
        writer.forEach(Runnable::run);
        assertEquals(10, overflowedAt.get());
        assertEquals(List.of(), t.sent(), "closed by the overflow before the drain ran: nothing more is written");
        assertTrue(box.settled().toCompletableFuture().isDone());
    }

    @Test
    void oneDrainIsScheduledForABurstAndItSendsEverythingInOrder() {
        FakeTransport t = new FakeTransport();
        List<Runnable> writer = new ArrayList<>();
        Outbox box = new Outbox(t, Long.MAX_VALUE, writer::add, listener);
        for (int i = 0; i < 5; i++) {
            box.offer(frame("f" + i));
        }
        assertEquals(1, writer.size());
        writer.remove(0).run();
        assertEquals(List.of("f0", "f1", "f2", "f3", "f4"), t.sent());
        box.offer(frame("f5"));
        assertEquals(1, writer.size(), "an idle outbox schedules a new drain");
        writer.remove(0).run();
        assertEquals("f5", t.sent().get(5));
    }

    @Test
    void aStoppedWriterDropsTheQueueInsteadOfWritingOnTheCaller() {
        FakeTransport t = new FakeTransport();
        Outbox box = new Outbox(t, 1000, task -> {
            throw new java.util.concurrent.RejectedExecutionException("stopping");
        }, listener);
        assertFalse(box.offer(frame("a")));
        assertTrue(box.isClosed());
        assertEquals(List.of(), t.sent());
        assertEquals(0, box.queuedBytes());
        assertTrue(box.settled().toCompletableFuture().isDone());
    }

    @Test
    void signalsOfAConnectionThatKeepsUpAreAllSentInOrderWithTheOtherFrames() {
        FakeTransport t = new FakeTransport().manual();
        Outbox box = new Outbox(t, 16_000, Runnable::run, listener);
        assertTrue(box.offer(frame("m1")));
        for (int i = 0; i < 5; i++) {
            assertTrue(box.enqueueSignal("alice/r1", frame("s" + i)));
        }
        box.offer(frame("m2"));
        while (t.completeNext(null)) {
            // below the coalescing threshold (1,000 bytes here) nothing is replaced
        }
        assertEquals(List.of("m1", "s0", "s1", "s2", "s3", "s4", "m2"), t.sent());
        assertEquals(0, box.queuedBytes());
    }

    @Test
    void behindTheThresholdANewerSignalTakesTheWaitingOnesPlacePerKey() {
        FakeTransport t = new FakeTransport().manual();
        Outbox box = new Outbox(t, 1600, Runnable::run, listener); // coalesces above 100 bytes
        String big = "x".repeat(150);
        assertTrue(box.offer(frame(big)));                    // in flight: 150 bytes wait
        assertTrue(box.enqueueSignal("alice/r1", frame("a1")));
        assertTrue(box.enqueueSignal("bob/r1", frame("b1")));
        box.offer(frame("m1"));
        assertTrue(box.enqueueSignal("alice/r1", frame("a2")));
        assertTrue(box.enqueueSignal("alice/r1", frame("a3")));
        assertTrue(box.enqueueSignal("bob/r1", frame("b2")));
        assertEquals(150 + 2 + 2 + 2, box.queuedBytes(), "replaced signals take no room");
        box.flush();
        while (t.completeNext(null)) {
            // drain
        }
        assertEquals(List.of(big, "a3", "b2", "m1"), t.sent(), "the newest of each key, in the first one's place");
        assertEquals(0, box.queuedBytes());
        assertTrue(box.enqueueSignal("alice/r1", frame("a4")), "a taken slot is not reused");
        box.flush();
        assertEquals("a4", t.sent().get(t.sent().size() - 1));
    }

    @Test
    void aSignalThatWouldOverflowIsDroppedAndTheOutboxStaysOpen() {
        FakeTransport t = new FakeTransport().manual();
        Outbox box = new Outbox(t, 100, Runnable::run, listener);
        assertTrue(box.offer(frame("x".repeat(95))));          // in flight
        for (int i = 0; i < 50; i++) {
            box.enqueueSignal("k" + i, frame("s" + i));          // distinct keys: nothing to replace
        }
        assertFalse(box.isClosed(), "signals never overflow the outbox");
        assertEquals(-1, overflowedAt.get());
        assertTrue(box.queuedBytes() - 95 <= 100, "at most the bound waits behind the frame in flight");
        assertFalse(box.offer(frame("y".repeat(10))), "a stored frame still overflows it");
        assertTrue(box.isClosed());
        assertEquals(0, t.overlaps());
    }

    @Test
    void discardingEmptiesWaitingSignals() {
        FakeTransport t = new FakeTransport().manual();
        Outbox box = new Outbox(t, 1000, Runnable::run, listener);
        box.offer(frame("f"));
        box.enqueueSignal("k", frame("s1"));
        box.close();
        assertTrue(t.completeNext(null));
        assertEquals(List.of("f"), t.sent());
        assertEquals(0, box.queuedBytes());
        assertFalse(box.enqueueSignal("k", frame("s2")));
    }
}
