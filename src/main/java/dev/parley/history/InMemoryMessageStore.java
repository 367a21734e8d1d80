package dev.parley.history;

import dev.parley.message.RoomMessage;
import dev.parley.message.DirectMessage;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link MessageStore} in memory: each room keeps its newest messages up to a bound; direct messages
 * are kept only while held for an offline recipient (up to the same bound per recipient), plus their refs,
 * for idempotency. Everything is lost on restart, so each instance has a new epoch. For tests, benchmarks
 * and {@code parley.store=memory}.
 */
public final class InMemoryMessageStore implements MessageStore {

    private final int retained;
    private final Duration idempotencyWindow;
    private final String epoch = UUID.randomUUID().toString();
    private final Map<String, RoomLog> rooms = new ConcurrentHashMap<>();
    private final RefIndex<DirectMessage> directRefs;
    private final Map<String, ArrayDeque<DirectMessage>> held = new HashMap<>();
    private long directIds;

    /** @param retained the most messages kept per room (older ones are forgotten), and the most refs remembered */
    public InMemoryMessageStore(int retained, Duration idempotencyWindow) {
        this.retained = retained;
        this.idempotencyWindow = idempotencyWindow;
        this.directRefs = new RefIndex<>(retained);
    }

    @Override
    public List<Appended> append(List<Draft> drafts) {
        List<Appended> out = new ArrayList<>(drafts.size());
        for (Draft d : drafts) {
            if (d instanceof Draft.ToRoom r) {
                out.add(rooms.computeIfAbsent(r.room(), k -> new RoomLog()).append(r));
            } else if (d instanceof Draft.ToUser u) {
                out.add(appendDirect(u));
            }
        }
        return out;
    }

    private synchronized Appended appendDirect(Draft.ToUser u) {
        String key = u.ref() == null ? null : u.from() + '\u0000' + u.to() + '\u0000' + u.ref();
        DirectMessage earlier = key == null ? null : directRefs.get(key);
        if (earlier != null && earlier.ts().isAfter(u.ts().minus(idempotencyWindow))) {
            return new Appended(earlier, true);
        }
        DirectMessage m = new DirectMessage(++directIds, u.from(), u.to(), u.text(), u.ts(), u.ref(), u.data());
        if (key != null) {
            directRefs.put(key, m);
        }
        if (u.held()) {
            ArrayDeque<DirectMessage> waiting = held.computeIfAbsent(u.to(), k -> new ArrayDeque<>());
            waiting.addLast(m);
            if (waiting.size() > retained) {
                waiting.removeFirst();
            }
        }
        return new Appended(m, false, u.held());
    }

    @Override
    public synchronized List<DirectMessage> releaseHeld(String user, int limit) {
        ArrayDeque<DirectMessage> waiting = held.get(user);
        if (waiting == null) {
            return List.of();
        }
        List<DirectMessage> out = new ArrayList<>(Math.min(limit, waiting.size()));
        while (out.size() < limit && !waiting.isEmpty()) {
            out.add(waiting.removeFirst());
        }
        if (waiting.isEmpty()) {
            held.remove(user);
        }
        return out;
    }

    @Override
    public List<RoomMessage> page(String room, Long before, int limit) {
        RoomLog log = rooms.get(room);
        return log == null ? List.of() : log.page(before == null ? Long.MAX_VALUE : before, limit);
    }

    @Override
    public Recovery since(String room, long since, int limit) {
        RoomLog log = rooms.get(room);
        return log == null ? new Recovery(List.of(), false, 0) : log.since(since, limit);
    }

    @Override
    public String epoch() {
        return epoch;
    }

    /** One room's retained messages and refs; synchronized because reads come from any thread. */
    private final class RoomLog {
        private final ArrayDeque<RoomMessage> messages = new ArrayDeque<>();
        private final RefIndex<RoomMessage> refs = new RefIndex<>(retained);
        private long head;

        synchronized Appended append(Draft.ToRoom r) {
            String key = r.ref() == null ? null : r.from() + '\u0000' + r.ref();
            RoomMessage earlier = key == null ? null : refs.get(key);
            if (earlier != null && earlier.ts().isAfter(r.ts().minus(idempotencyWindow))) {
                return new Appended(earlier, true);
            }
            RoomMessage m = new RoomMessage(r.room(), ++head, r.from(), r.text(), r.ts(), r.ref(), r.data());
            messages.addLast(m);
            if (messages.size() > retained) {
                messages.removeFirst();
            }
            if (key != null) {
                refs.put(key, m);
            }
            return new Appended(m, false);
        }

        synchronized List<RoomMessage> page(long before, int limit) {
            List<RoomMessage> out = new ArrayList<>(Math.min(limit, messages.size()));
            for (Iterator<RoomMessage> it = messages.descendingIterator(); it.hasNext() && out.size() < limit; ) {
                RoomMessage m = it.next();
                if (m.seq() < before) {
                    out.add(m);
                }
            }
            Collections.reverse(out);
            return out;
        }

        synchronized Recovery since(long since, int limit) {
            List<RoomMessage> out = new ArrayList<>();
            boolean more = false;
            for (Iterator<RoomMessage> it = messages.descendingIterator(); it.hasNext(); ) {
                RoomMessage m = it.next();
                if (m.seq() <= since) {
                    break;
                }
                if (out.size() == limit) {
                    more = true;
                    break;
                }
                out.add(m);
            }
            // Messages the client missed that are no longer retained also make the answer incomplete.
            RoomMessage oldest = messages.peekFirst();
            if (oldest != null && oldest.seq() > since + 1) {
                more = true;
            }
            Collections.reverse(out);
            return new Recovery(out, more, head);
        }
    }

    /** Refs of recent messages, forgetting the oldest beyond a bound. Not thread-safe. */
    private static final class RefIndex<M> extends LinkedHashMap<String, M> {
        private static final long serialVersionUID = 1L;
        private final int bound;

        RefIndex(int bound) {
            this.bound = bound;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, M> eldest) {
            return size() > bound;
        }
    }
}
