package dev.parley.history;

import dev.parley.message.ConversationId;
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
 * A {@link MessageStore} in memory: each room and each pair of users (direct conversation) keeps its newest
 * messages up to a bound; direct messages held for an offline recipient are queued apart (up to the same bound
 * per recipient); refs for idempotency; each user's conversations with their read seq. Everything is lost on restart, so each instance has a new epoch. For tests, benchmarks
 * and {@code parley.store=memory}.
 */
public final class InMemoryMessageStore implements MessageStore {

    private final int retained;
    private final Duration idempotencyWindow;
    private final String epoch = UUID.randomUUID().toString();
    private final Map<String, RoomLog> rooms = new ConcurrentHashMap<>();
    private final RefIndex<DirectMessage> directRefs;
    private final Map<String, ArrayDeque<DirectMessage>> held = new HashMap<>();
    private final Map<String, PairLog> pairs = new HashMap<>();
    /** Per user: conversation key to read seq, in key order. Guarded by this store's lock. */
    private final Map<String, java.util.TreeMap<String, Long>> conversations = new HashMap<>();
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
                Appended a = rooms.computeIfAbsent(r.room(), k -> new RoomLog()).append(r);
                if (!a.duplicate()) {
                    readUpTo(r.from(), ConversationId.room(r.room()).key(), ((RoomMessage) a.message()).seq());
                }
                out.add(a);
            } else if (d instanceof Draft.ToUser u) {
                out.add(appendDirect(u));
            }
        }
        return out;
    }

    /** Moves a remembered conversation's read seq forward (own messages are read); nothing for one not remembered. */
    private synchronized void readUpTo(String user, String key, long seq) {
        Map<String, Long> mine = conversations.get(user);
        if (mine != null) {
            mine.computeIfPresent(key, (k, read) -> Math.max(read, seq));
        }
    }

    @Override
    public synchronized List<Marked> mark(List<Mark> marks) {
        List<Marked> out = new ArrayList<>(marks.size());
        for (Mark m : marks) {
            out.add(apply(m));
        }
        return out;
    }

    private Marked apply(Mark m) {
        if (m instanceof Mark.Forget f) {
            Map<String, Long> mine = conversations.get(f.user());
            boolean removed = mine != null && mine.remove(ConversationId.room(f.room()).key()) != null;
            return new Marked(removed ? Marked.Outcome.CHANGED : Marked.Outcome.UNCHANGED, 0, 0);
        }
        Map<String, Long> mine = conversations.computeIfAbsent(m.user(), u -> new java.util.TreeMap<>());
        if (m instanceof Mark.Enter e) {
            long newest = roomHead(e.room());
            Long earlier = mine.putIfAbsent(ConversationId.room(e.room()).key(), newest);
            return earlier == null ? new Marked(Marked.Outcome.CHANGED, newest, newest)
                    : new Marked(Marked.Outcome.UNCHANGED, earlier, newest);
        }
        Mark.Read r = (Mark.Read) m;
        long newest = r.conversation().isRoom() ? roomHead(r.conversation().room()) : pairHead(r.user(), r.conversation().with());
        String key = r.conversation().key();
        long read = mine.getOrDefault(key, 0L);
        if (r.seq() > newest) {
            return new Marked(Marked.Outcome.BEYOND, read, newest);
        }
        if (r.seq() <= read) {
            return new Marked(Marked.Outcome.UNCHANGED, read, newest);
        }
        mine.put(key, r.seq());
        return new Marked(Marked.Outcome.CHANGED, r.seq(), newest);
    }

    private long roomHead(String room) {
        RoomLog log = rooms.get(room);
        return log == null ? 0 : log.head();
    }

    private long pairHead(String user, String with) {
        PairLog log = pairs.get(ConversationId.pair(user, with));
        return log == null ? 0 : log.head;
    }

    @Override
    public synchronized List<DirectMessage> directPage(String user, String with, Long before, int limit) {
        PairLog log = pairs.get(ConversationId.pair(user, with));
        if (log == null) {
            return List.of();
        }
        long below = before == null ? Long.MAX_VALUE : before;
        List<DirectMessage> out = new ArrayList<>(Math.min(limit, log.messages.size()));
        for (Iterator<DirectMessage> it = log.messages.descendingIterator(); it.hasNext() && out.size() < limit; ) {
            DirectMessage m = it.next();
            if (m.seq() < below) {
                out.add(m);
            }
        }
        Collections.reverse(out);
        return out;
    }

    @Override
    public synchronized DirectRecovery directSince(String user, String with, long since, int limit) {
        PairLog log = pairs.get(ConversationId.pair(user, with));
        if (log == null) {
            return new DirectRecovery(List.of(), false, 0);
        }
        List<DirectMessage> out = new ArrayList<>();
        boolean more = false;
        for (Iterator<DirectMessage> it = log.messages.descendingIterator(); it.hasNext(); ) {
            DirectMessage m = it.next();
            if (m.seq() <= since) {
                break;
            }
            if (out.size() == limit) {
                more = true;
                break;
            }
            out.add(m);
        }
        DirectMessage oldest = log.messages.peekFirst();
        if (oldest != null && oldest.seq() > since + 1) {
            more = true; // missed messages no longer retained
        }
        Collections.reverse(out);
        return new DirectRecovery(out, more, log.head);
    }

    @Override
    public synchronized List<Conversation> conversations(String user) {
        Map<String, Long> mine = conversations.getOrDefault(user, new java.util.TreeMap<>());
        List<Conversation> out = new ArrayList<>(mine.size());
        List<Conversation> direct = new ArrayList<>();
        mine.forEach((key, read) -> {
            ConversationId id = ConversationId.ofKey(key);
            if (id.isRoom()) {
                out.add(new Conversation(id, roomHead(id.room()), read));
            } else {
                direct.add(new Conversation(id, pairHead(user, id.with()), read));
            }
        });
        out.addAll(direct);
        return out;
    }

    private synchronized Appended appendDirect(Draft.ToUser u) {
        String key = u.ref() == null ? null : u.from() + '\u0000' + u.to() + '\u0000' + u.ref();
        DirectMessage earlier = key == null ? null : directRefs.get(key);
        if (earlier != null && earlier.ts().isAfter(u.ts().minus(idempotencyWindow))) {
            return new Appended(earlier, true);
        }
        PairLog pair = pairs.computeIfAbsent(ConversationId.pair(u.from(), u.to()), k -> new PairLog());
        DirectMessage m = new DirectMessage(++directIds, ++pair.head, u.from(), u.to(), u.text(), u.ts(), u.ref(), u.data());
        if (key != null) {
            directRefs.put(key, m);
        }
        pair.messages.addLast(m);
        if (pair.messages.size() > retained) {
            pair.messages.removeFirst();
        }
        // The first message of a pair makes it a conversation of both; the sender has read their own message.
        conversations.computeIfAbsent(u.to(), k -> new java.util.TreeMap<>())
                .putIfAbsent(ConversationId.with(u.from()).key(), 0L);
        conversations.computeIfAbsent(u.from(), k -> new java.util.TreeMap<>())
                .merge(ConversationId.with(u.to()).key(), m.seq(), Math::max);
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

    /** One pair of users' retained direct messages and their newest seq. Guarded by the store's lock. */
    private static final class PairLog {
        private final ArrayDeque<DirectMessage> messages = new ArrayDeque<>();
        private long head;
    }

    /** One room's retained messages and refs; synchronized because reads come from any thread. */
    private final class RoomLog {
        private final ArrayDeque<RoomMessage> messages = new ArrayDeque<>();
        private final RefIndex<RoomMessage> refs = new RefIndex<>(retained);
        private long head;

        synchronized long head() {
            return head;
        }

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
