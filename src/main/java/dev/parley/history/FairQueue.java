package dev.parley.history;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded queue of lanes (one per sender): each lane keeps its own order, and takers drain the lanes
 * round-robin, one item per lane per turn, and at most a set number per lane per drain. So a sender with a
 * thousand items waiting delays another sender's single item by one small batch, not by a thousand items.
 * Thread-safe; offers never block.
 */
final class FairQueue<T> {

    private final int capacity;
    private final Map<String, ArrayDeque<T>> lanes = new HashMap<>();
    private final ArrayDeque<String> turns = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private int size;

    FairQueue(int capacity) {
        this.capacity = capacity;
    }

    /** Adds an item at the end of its lane; false, adding nothing, when the queue is full. */
    boolean offer(String lane, T item) {
        lock.lock();
        try {
            if (size >= capacity) {
                return false;
            }
            ArrayDeque<T> queue = lanes.computeIfAbsent(lane, l -> new ArrayDeque<>());
            if (queue.isEmpty()) {
                turns.addLast(lane);
            }
            queue.addLast(item);
            size++;
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code timeout} for an item; true when there is one. */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (size == 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves up to {@code max} items into {@code out}, round-robin over the lanes and at most {@code perLane}
     * from any one lane; returns how many. Lanes that reached their share keep their turn for the next drain.
     */
    int drainTo(List<T> out, int max, int perLane) {
        lock.lock();
        try {
            Map<String, Integer> taken = new HashMap<>();
            ArrayDeque<String> served = new ArrayDeque<>();
            int moved = 0;
            while (moved < max && !turns.isEmpty()) {
                String lane = turns.pollFirst();
                ArrayDeque<T> queue = lanes.get(lane);
                out.add(queue.pollFirst());
                size--;
                moved++;
                if (queue.isEmpty()) {
                    lanes.remove(lane);
                } else if (taken.merge(lane, 1, Integer::sum) >= perLane) {
                    served.addLast(lane);
                } else {
                    turns.addLast(lane);
                }
            }
            turns.addAll(served);
            return moved;
        } finally {
            lock.unlock();
        }
    }

    /** The number of items waiting. */
    int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }
}
