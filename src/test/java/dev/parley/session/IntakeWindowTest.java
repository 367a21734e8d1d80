package dev.parley.session;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(20)
class IntakeWindowTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void withinTheWindowTheConnectionNeverWaits() {
        IntakeWindow w = new IntakeWindow(1000, SECOND, System::nanoTime);
        IntakeWindow.Receipt r = w.open(600);
        r.hold(); // an outbox took it and never writes it
        long start = System.nanoTime();
        w.await();
        assertTrue(System.nanoTime() - start < SECOND / 2, "waited within the window");
        assertEquals(600, w.outstandingBytes());
    }

    @Test
    void aMessageStopsCountingOnceEveryOutboxThatHeldItWroteIt() {
        IntakeWindow w = new IntakeWindow(1000, SECOND, System::nanoTime);
        IntakeWindow.Receipt r = w.open(600);
        r.hold();
        r.hold();
        r.done(); // handed to both outboxes
        r.done(); // the first wrote it
        assertEquals(600, w.outstandingBytes(), "the second outbox still has it");
        r.done();
        assertEquals(0, w.outstandingBytes());
    }

    @Test
    void overTheWindowTheConnectionWaitsUntilTheWritesCatchUp() throws Exception {
        IntakeWindow w = new IntakeWindow(1000, TimeUnit.SECONDS.toNanos(30), System::nanoTime);
        IntakeWindow.Receipt first = w.open(600);
        first.hold();
        first.done();
        IntakeWindow.Receipt second = w.open(600);
        second.done(); // nobody held it: done at once
        assertEquals(600, w.outstandingBytes());
        IntakeWindow.Receipt third = w.open(600);
        third.hold();
        third.done();
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(w::await);
        assertThrowsTimeout(waiting);
        first.done(); // the reader's outbox wrote the first
        waiting.get(5, TimeUnit.SECONDS);
        assertEquals(600, w.outstandingBytes());
    }

    @Test
    void aMessageHeldLongerThanTheLagBoundNoLongerHoldsItsSender() {
        AtomicLong now = new AtomicLong();
        IntakeWindow w = new IntakeWindow(1000, SECOND, now::get);
        IntakeWindow.Receipt stuck = w.open(800); // a member that does not read has it
        stuck.hold();
        stuck.done();
        now.addAndGet(SECOND / 2);
        IntakeWindow.Receipt next = w.open(800);
        next.hold();
        next.done();
        now.addAndGet(SECOND); // the first has been held for 1.5 s, the second for 1 s
        w.await();
        assertEquals(800, w.outstandingBytes(), "only the message held past the bound was forgiven");
        stuck.done(); // written or dropped after all: not counted twice
        assertEquals(800, w.outstandingBytes());
    }

    @Test
    void closingTheConnectionEndsTheWait() throws Exception {
        IntakeWindow w = new IntakeWindow(10, TimeUnit.SECONDS.toNanos(30), System::nanoTime);
        IntakeWindow.Receipt r = w.open(100);
        r.hold();
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(w::await);
        assertThrowsTimeout(waiting);
        w.close();
        waiting.get(5, TimeUnit.SECONDS);
        w.await(); // and never waits again
        assertEquals(100, w.outstandingBytes());
    }

    @Test
    void anUnlimitedWindowNeverWaits() {
        IntakeWindow w = IntakeWindow.unlimited();
        w.open(Integer.MAX_VALUE).hold();
        w.await();
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void whenAsManyConnectionsWaitAsMayAnotherGoesOnWithoutWaiting() throws Exception {
        java.util.concurrent.Semaphore waiters = new java.util.concurrent.Semaphore(1);
        IntakeWindow first = new IntakeWindow(10, TimeUnit.SECONDS.toNanos(30), System::nanoTime, waiters);
        IntakeWindow second = new IntakeWindow(10, TimeUnit.SECONDS.toNanos(30), System::nanoTime, waiters);
        IntakeWindow.Receipt a = first.open(100);
        a.hold();
        second.open(100).hold();
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(first::await);
        assertThrowsTimeout(waiting);
        second.await(); // the one permit is taken: returns at once
        a.done();
        a.done();
        waiting.get(5, TimeUnit.SECONDS);
        assertEquals(1, waiters.availablePermits(), "the permit was given back");
    }

    @Test
    void receiptsSettledOrHeldTooLongAreNotKeptByAConnectionThatNeverWaits() {
        AtomicLong now = new AtomicLong();
        IntakeWindow w = new IntakeWindow(1_000_000, SECOND, now::get);
        for (int i = 0; i < 10_000; i++) {
            IntakeWindow.Receipt r = w.open(10);
            if (i == 0) {
                r.hold(); // held for ever by an outbox that never writes nor drops it
            }
            r.done();
            now.addAndGet(SECOND / 100);
        }
        assertEquals(0, w.outstandingBytes(), "the one held for ever was forgiven after the lag bound");
    }

    @Test
    void aWaitGivenAShorterTimeThanTheLagBoundSaysWhetherTheWindowCameWithinItsLimit() throws Exception {
        IntakeWindow w = new IntakeWindow(1000, TimeUnit.SECONDS.toNanos(30), System::nanoTime);
        IntakeWindow.Receipt held = w.open(1200);
        held.hold();
        held.done();
        long start = System.nanoTime();
        assertFalse(w.await(TimeUnit.MILLISECONDS.toNanos(200)), "the readers still hold it");
        long waited = System.nanoTime() - start;
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(200) && waited < SECOND * 5, "waited " + waited + " ns");
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> w.await(TimeUnit.SECONDS.toNanos(20)));
        held.done(); // written out
        assertTrue(waiting.get(5, TimeUnit.SECONDS));
    }

    @Test
    void severalThreadsMayWaitOnOneWindowAndAllAreWokenWhenItComesWithinItsLimit() throws Exception {
        java.util.concurrent.atomic.AtomicInteger waits = new java.util.concurrent.atomic.AtomicInteger();
        IntakeWindow w = new IntakeWindow(1000, TimeUnit.SECONDS.toNanos(30), System::nanoTime, null, new IntakeWindow.Waits() {
            @Override
            public void waited(long nanos) {
                waits.incrementAndGet();
            }

            @Override
            public void unpaced() {
                throw new AssertionError("no permits here");
            }
        });
        IntakeWindow.Receipt held = w.open(1200);
        held.hold();
        held.done();
        java.util.List<CompletableFuture<Boolean>> waiting = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(4);
        for (int i = 0; i < 4; i++) {
            waiting.add(CompletableFuture.supplyAsync(() -> w.await(TimeUnit.SECONDS.toNanos(20)), threads));
        }
        assertThrowsTimeout(CompletableFuture.anyOf(waiting.toArray(CompletableFuture[]::new)).thenApply(x -> null));
        held.done();
        for (CompletableFuture<Boolean> f : waiting) {
            assertTrue(f.get(5, TimeUnit.SECONDS), "every waiter saw the window within its limit");
        }
        assertEquals(4, waits.get(), "each wait was told");
        threads.shutdown();
    }

    private static void assertThrowsTimeout(CompletableFuture<Void> f) {
        try {
            f.get(200, TimeUnit.MILLISECONDS);
            throw new AssertionError("did not wait");
        } catch (java.util.concurrent.TimeoutException expected) {
            // still waiting, as it should
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
