package dev.parley.room;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoomLanesTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void eachRoomsTasksRunInTheOrderHandedInAndNeverTwoAtOnce() throws Exception {
        RoomLanes lanes = RoomLanes.on(pool);
        int rooms = 8;
        int perRoom = 5_000;
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> inside = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(rooms * perRoom);
        // two submitting threads per room would make "handed in" order ambiguous: one thread per room, rooms interleaved
        ExecutorService submitters = Executors.newFixedThreadPool(rooms);
        for (int r = 0; r < rooms; r++) {
            String room = "r" + r;
            seen.put(room, Collections.synchronizedList(new ArrayList<>()));
            inside.put(room, new AtomicInteger());
            submitters.execute(() -> {
                for (int i = 0; i < perRoom; i++) {
                    int n = i;
                    lanes.run(room, () -> {
                        if (inside.get(room).incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        seen.get(room).add(n);
                        inside.get(room).decrementAndGet();
                        done.countDown();
                    });
                }
            });
        }
        assertTrue(done.await(30, TimeUnit.SECONDS), "every task ran");
        submitters.shutdown();
        assertEquals(0, overlaps.get(), "two tasks of one room ran at the same time");
        for (var e : seen.entrySet()) {
            List<Integer> order = e.getValue();
            assertEquals(perRoom, order.size(), e.getKey());
            for (int i = 0; i < perRoom; i++) {
                assertEquals(i, order.get(i), e.getKey() + " ran out of order at " + i);
            }
        }
        awaitIdle(lanes);
    }

    @Test
    void differentRoomsRunAtTheSameTime() throws Exception {
        RoomLanes lanes = RoomLanes.on(pool);
        CountDownLatch bothIn = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        for (String room : List.of("a", "b")) {
            lanes.run(room, () -> {
                bothIn.countDown();
                await(release);
            });
        }
        assertTrue(bothIn.await(10, TimeUnit.SECONDS), "room b waited for room a");
        release.countDown();
        awaitIdle(lanes);
    }

    @Test
    void aFailingTaskDoesNotStopTheRoomsNextOnes() throws Exception {
        RoomLanes lanes = RoomLanes.on(pool);
        CountDownLatch next = new CountDownLatch(1);
        lanes.run("r", () -> {
            throw new IllegalStateException("boom");
        });
        lanes.run("r", next::countDown);
        assertTrue(next.await(10, TimeUnit.SECONDS), "the task after a failed one ran");
        awaitIdle(lanes);
    }

    @Test
    void aTaskHandedInByARunningTaskOfTheSameRoomRunsAfterIt() throws Exception {
        RoomLanes lanes = RoomLanes.on(Runnable::run); // inline: the nested hand-in happens inside the drain
        List<String> order = new ArrayList<>();
        lanes.run("r", () -> {
            lanes.run("r", () -> order.add("second"));
            order.add("first");
        });
        assertEquals(List.of("first", "second"), order);
        assertEquals(0, lanes.busy(), "the lane ended once its queue was empty");
    }

    @Test
    void aCallerFarAheadOfItsRoomsLaneWaitsUntilTheLaneCatchesUp() throws Exception {
        RoomLanes lanes = RoomLanes.on(pool);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch handedIn = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        Thread sequencer = new Thread(() -> {
            lanes.run("r", () -> await(release)); // the lane is stuck on this one
            for (int i = 0; i <= RoomLanes.MAX_WAITING; i++) {
                lanes.run("r", ran::incrementAndGet);
            }
            handedIn.countDown();
        });
        sequencer.start();
        // the caller is held at MAX_WAITING + 1 waiting tasks: it has not handed them all in
        assertTrue(!handedIn.await(300, TimeUnit.MILLISECONDS), "a caller ran ahead of a stuck lane without waiting");
        assertEquals(0, ran.get());
        release.countDown();
        assertTrue(handedIn.await(10, TimeUnit.SECONDS), "the caller went on once the lane caught up");
        awaitIdle(lanes);
        assertEquals(RoomLanes.MAX_WAITING + 1, ran.get());
        sequencer.join(10_000);
    }

    @Test
    void otherRoomsAreNotHeldUpByAStuckLane() throws Exception {
        RoomLanes lanes = RoomLanes.on(pool);
        CountDownLatch release = new CountDownLatch(1);
        lanes.run("stuck", () -> await(release));
        CountDownLatch other = new CountDownLatch(RoomLanes.MAX_WAITING);
        for (int i = 0; i < RoomLanes.MAX_WAITING; i++) {
            lanes.run("other", other::countDown);
        }
        assertTrue(other.await(10, TimeUnit.SECONDS), "another room's deliveries waited for a stuck room");
        release.countDown();
        awaitIdle(lanes);
    }

    private static void awaitIdle(RoomLanes lanes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (lanes.busy() > 0) {
            assertTrue(System.nanoTime() < deadline, "lanes still busy: " + lanes.busy());
            Thread.onSpinWait();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
