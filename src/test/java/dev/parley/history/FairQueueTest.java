package dev.parley.history;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FairQueueTest {

    @Test
    void lanesAreTakenInTurnAndEachKeepsItsOrder() throws InterruptedException {
        FairQueue<String> q = new FairQueue<>(100);
        for (int i = 1; i <= 5; i++) {
            q.offer("flood", "f" + i);
        }
        q.offer("alice", "a1");
        q.offer("bob", "b1");
        q.offer("alice", "a2");
        List<String> out = new ArrayList<>();
        assertTrue(q.await(1, TimeUnit.SECONDS));
        q.drainTo(out, 5, 100);
        assertEquals(List.of("f1", "a1", "b1", "f2", "a2"), out);
        out.clear();
        q.drainTo(out, 100, 100);
        assertEquals(List.of("f3", "f4", "f5"), out);
        assertEquals(0, q.size());
    }

    @Test
    void aLaneGetsAtMostItsShareOfOneDrain() {
        FairQueue<String> q = new FairQueue<>(100);
        for (int i = 1; i <= 6; i++) {
            q.offer("flood", "f" + i);
        }
        q.offer("alice", "a1");
        List<String> out = new ArrayList<>();
        q.drainTo(out, 100, 2);
        assertEquals(List.of("f1", "a1", "f2"), out);
        out.clear();
        q.offer("bob", "b1");
        q.drainTo(out, 100, 2);
        assertEquals(List.of("f3", "b1", "f4"), out, "the flood lane kept its turn, ahead of a newer lane");
        assertEquals(2, q.size());
    }

    @Test
    void aFullQueueRefusesAndAnEmptyOneTimesOut() throws InterruptedException {
        FairQueue<String> q = new FairQueue<>(2);
        assertTrue(q.offer("a", "1"));
        assertTrue(q.offer("b", "2"));
        assertFalse(q.offer("c", "3"));
        List<String> out = new ArrayList<>();
        q.drainTo(out, 10, 10);
        assertFalse(q.await(10, TimeUnit.MILLISECONDS));
        assertTrue(q.offer("c", "3"), "room again once drained");
    }
}
