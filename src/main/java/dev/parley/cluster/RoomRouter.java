package dev.parley.cluster;

import dev.parley.config.Settings;
import dev.parley.history.Appended;
import dev.parley.history.Draft;
import dev.parley.history.MessageStore;
import dev.parley.history.Recovery;
import dev.parley.history.Sequencer;
import dev.parley.history.StoreUnavailableException;
import dev.parley.message.Payload;
import dev.parley.message.RoomMessage;
import dev.parley.metrics.Meters;
import dev.parley.protocol.ServerFrame;
import dev.parley.room.RoomLanes;
import dev.parley.room.RoomRegistry;
import dev.parley.session.EncodedFrame;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One order per room across the cluster. Each room is owned by the node that owns the room's grid partition: a node
 * hands every room message to the owner ({@link NodeMail.Sequence}, or directly when it is the owner), which stores it
 * through its {@link Sequencer} (group commit, seq from the database) and publishes the stored message on the room's
 * topic, in seq order, to every node with members in the room, then answers the sender's node. Each node delivers a
 * room's messages to its own members on the room's {@link RoomLanes lane}, strictly in seq order: a message that
 * arrives ahead of one it has not seen (the owner died or changed between them) first makes the node read the missing
 * ones from the store, one that it has already delivered is dropped. The sender's ack is given only once the node has
 * delivered that seq to its members, so the sender sees its message before the ack, as on a single node.
 * <p>
 * When the owner does not answer (it died, or the room moved away meanwhile), the message is sent again to the room's
 * owner now, with the same ref, so the store keeps it once; messages without a ref are refused as unavailable instead.
 * Used only when {@link Cluster#active()}. Thread-safe; it holds no lock while it does I/O.
 */
@ApplicationScoped
public class RoomRouter {

    private static final Logger LOG = Logger.getLogger(RoomRouter.class.getName());
    /** How long a node waits for the answer of an owner that is still the room's owner before it asks again. */
    static final long ASK_AGAIN_NANOS = TimeUnit.SECONDS.toNanos(20);
    /** How long a message may wait for an answer in all before it is refused as unavailable (the client resends). */
    static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(90);
    /**
     * After a node starts following a room, when it reads the room's newest messages from the store again, until the
     * room's topic has brought it a message (see {@link #joined}): a loaded owner may publish late, after the first look.
     */
    static final long[] SETTLE_MILLIS = {1_000, 2_000, 4_000, 8_000, 16_000, 32_000};
    /** Room events a node keeps while the first join of the room is being answered. */
    static final int MAX_EARLY = 10_000;

    /** A room message waiting for its owner's answer. */
    private static final class Pending {
        final Draft.ToRoom draft;
        final Sequencer.Callback then;
        final long created = System.nanoTime();
        volatile String sentTo;
        volatile long sentAt;
        volatile int attempts;

        Pending(Draft.ToRoom draft, Sequencer.Callback then) {
            this.draft = draft;
            this.then = then;
        }
    }

    /** What this node has delivered of one room to its members; touched only on the room's lane (but made elsewhere). */
    private static final class Feed {
        final Runnable unsubscribe;
        /** The highest seq this node's members have (by history or live), or -1 until the first join was answered. */
        long delivered = -1;
        /** Messages that came before the first join was answered, delivered once it was. */
        final java.util.TreeMap<Long, EncodedFrame> early = new java.util.TreeMap<>();
        /** Whether the node has scheduled its looks at the store since it began following the room. */
        boolean settling = true;
        /** Whether the room's topic has brought this node a message: its subscription has reached the publisher. */
        boolean heard;

        Feed(Runnable unsubscribe) {
            this.unsubscribe = unsubscribe;
        }
    }

    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, Feed> feeds = new ConcurrentHashMap<>();
    private final AtomicLong tickets = new AtomicLong();
    private RoomTakeOver takeOver;

    private Cluster cluster;
    private Sequencer sequencer;
    private MessageStore store;
    private RoomRegistry rooms;
    private RoomLanes lanes;
    private Meters meters;
    private Settings settings;
    private ScheduledExecutorService timer;

    /** For CDI. */
    protected RoomRouter() {
    }

    @Inject
    public RoomRouter(Cluster cluster, Sequencer sequencer, MessageStore store, RoomRegistry rooms, RoomLanes lanes,
                      Meters meters, Settings settings) {
        this.cluster = cluster;
        this.sequencer = sequencer;
        this.store = store;
        this.rooms = rooms;
        this.lanes = lanes;
        this.meters = meters;
        this.settings = settings;
        this.takeOver = new RoomTakeOver(store::disown);
    }

    /** Called once when the node starts clustered, with the timer for its delayed work. */
    void start(ScheduledExecutorService timer) {
        this.timer = timer;
        cluster.grid().onOwnershipChange(takeOver::ownershipChanged);
        cluster.grid().onNodeLeft(this::nodeLeft);
    }

    /**
     * Has the room's owner sequence and store a message (checked by the message rules already); {@code then} is
     * told once it is stored and delivered to this node's members (on the room's lane), or why not.
     */
    public void append(Draft.ToRoom draft, Sequencer.Callback then) {
        long ticket = tickets.incrementAndGet();
        Pending p = new Pending(draft, then);
        pending.put(ticket, p);
        route(ticket, p);
    }

    /**
     * Makes sure this node gets the room's traffic from now on; call when a member joins here, before reading the
     * room's history for the join (so nothing stored after that read can pass this node by). Grid I/O.
     */
    public void attach(String room) {
        feeds.computeIfAbsent(room, r -> new Feed(cluster.grid().subscribe(Cluster.roomTopic(r), e -> event(r, e))));
    }

    /**
     * A join of the room on this node was answered with the room's messages up to {@code upTo}. The first one since
     * the node began following the room sets where the node's live delivery starts. A new subscription to a room's
     * topic takes a moment to reach every node, so whatever was stored meanwhile is read from the store, once the
     * subscription has settled ({@link #SETTLE_MILLIS}).
     */
    public void joined(String room, long upTo) {
        lanes.run(room, () -> {
            Feed f = feeds.get(room);
            if (f == null) {
                return;
            }
            if (f.delivered < 0) {
                f.delivered = upTo;
                Map<Long, EncodedFrame> early = new java.util.TreeMap<>(f.early);
                f.early.clear();
                early.forEach((seq, frame) -> deliver(room, seq, frame));
            }
            if (f.settling && timer != null) {
                f.settling = false;
                for (long delay : SETTLE_MILLIS) {
                    timer.schedule(() -> lanes.run(room, () -> settle(room)), delay, TimeUnit.MILLISECONDS);
                }
            }
        });
    }

    /** On the room's lane: delivers whatever the store has beyond what this node delivered. */
    private void settle(String room) {
        Feed f = feeds.get(room);
        if (f != null && f.delivered >= 0 && !f.heard) {
            long before = f.delivered;
            catchUp(room, f, Long.MAX_VALUE);
            if (f.delivered > before) {
                LOG.info(() -> "room " + room + ": read " + (f.delivered - before) + " messages its new subscription missed");
            }
        }
    }

    /** Tells every node's members of the room (but {@code user}'s connections) that {@code user} is typing. */
    public void typing(String room, String user) {
        cluster.grid().publish(Cluster.roomTopic(room), RoomEvent.typing(user));
    }

    /** Publishes a presence change of the room (from {@link ClusterPresence}). */
    void presence(String room, String user, String change) {
        cluster.grid().publish(Cluster.roomTopic(room), RoomEvent.presence(user, change));
    }

    /** Publishes a member's new state (its compact JSON) to every node's members of the room (from {@link ClusterPresence}). */
    void state(String room, String user, String state) {
        cluster.grid().publish(Cluster.roomTopic(room), RoomEvent.state(user, state));
    }

    /** Stops taking the traffic of rooms that have no members here any more (periodically). */
    void sweep() {
        for (String room : feeds.keySet()) {
            feeds.computeIfPresent(room, (r, f) -> {
                if (!rooms.members(r).isEmpty()) {
                    return f;
                }
                f.unsubscribe.run();
                return null;
            });
        }
    }

    /**
     * Asks again for messages whose room moved to another owner or whose owner has not answered for long, and gives
     * up on those that waited too long in all (periodically).
     */
    void resendOverdue() {
        long now = System.nanoTime();
        pending.forEach((ticket, p) -> {
            if (now - p.created > GIVE_UP_NANOS) {
                fail(ticket, "the room's server did not answer; send again");
            } else if (p.sentTo == null || now - p.sentAt > ASK_AGAIN_NANOS
                    || !p.sentTo.equals(cluster.grid().ownerOf(p.draft.room()))) {
                route(ticket, p);
            }
        });
    }

    /** A node died or left: what it was asked and did not answer goes to the rooms' new owners. */
    private void nodeLeft(String node) {
        pending.forEach((ticket, p) -> {
            if (node.equals(p.sentTo)) {
                route(ticket, p);
            }
        });
    }

    private void route(long ticket, Pending p) {
        if (p.attempts > 0 && p.draft.ref() == null) {
            // Sent before and unanswered: without a ref a second copy could be stored twice.
            fail(ticket, "the room's server did not answer; send again");
            return;
        }
        String owner = cluster.grid().ownerOf(p.draft.room());
        p.sentAt = System.nanoTime();
        if (owner == null) {
            p.sentTo = null; // partitions moving: the next resendOverdue tries again
            return;
        }
        p.sentTo = owner;
        p.attempts++;
        String me = cluster.grid().localNode();
        if (owner.equals(me)) {
            sequence(me, ticket, p.draft);
        } else {
            try {
                cluster.grid().publish(Cluster.nodeTopic(owner), NodeMail.encode(new NodeMail.Sequence(me, ticket, p.draft)));
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "could not reach the owner of " + p.draft.room() + "; trying again", e);
                p.sentTo = null;
            }
        }
    }

    /** On the owner: stores the message, publishes it to the room's nodes, answers the sender's node. */
    void sequence(String origin, long ticket, Draft.ToRoom draft) {
        takeOver.beforeSequencing(draft.room());
        sequencer.submit(draft, (appended, failure) -> {
            if (failure != null) {
                answer(origin, new NodeMail.Failed(ticket, failure.getMessage() == null ? "store unavailable" : failure.getMessage()));
                return;
            }
            RoomMessage m = (RoomMessage) appended.message();
            if (!appended.duplicate()) {
                meters.count(Meters.Count.MESSAGES_STORED);
                // On the sequencer's thread, so in seq order: the topic keeps one publisher's order.
                cluster.grid().publish(Cluster.roomTopic(m.room()),
                        RoomEvent.message(m.seq(), EncodedFrame.of(new ServerFrame.Message(m)).text()));
            }
            answer(origin, new NodeMail.Sequenced(ticket, m, appended.duplicate()));
        });
    }

    private void answer(String origin, NodeMail answer) {
        if (origin.equals(cluster.grid().localNode())) {
            answered(answer);
        } else {
            cluster.grid().publish(Cluster.nodeTopic(origin), NodeMail.encode(answer));
        }
    }

    /** On the sender's node: the owner's answer. */
    void answered(NodeMail answer) {
        if (answer instanceof NodeMail.Failed f) {
            fail(f.ticket(), f.reason());
        } else if (answer instanceof NodeMail.Sequenced s) {
            Pending p = pending.remove(s.ticket());
            if (p == null) {
                return; // answered already (asked twice)
            }
            RoomMessage m = s.message();
            lanes.run(m.room(), () -> {
                if (!s.duplicate()) {
                    reach(m.room(), m.seq());
                }
                p.then.done(new Appended(m, s.duplicate()), null);
            });
        }
    }

    private void fail(long ticket, String reason) {
        Pending p = pending.remove(ticket);
        if (p != null) {
            p.then.done(null, new StoreUnavailableException(reason, null));
        }
    }

    /** A room topic's event, on a grid thread. */
    private void event(String room, String payload) {
        RoomEvent e;
        try {
            e = RoomEvent.decode(payload);
        } catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "dropped an unreadable event of room " + room, ex);
            return;
        }
        if (e instanceof RoomEvent.Message m) {
            lanes.run(room, () -> deliver(room, m.seq(), EncodedFrame.of(m.frame()), true));
        } else if (e instanceof RoomEvent.Presence p) {
            lanes.run(room, () -> rooms.clusterPresence(room, p.user(), p.change()));
        } else if (e instanceof RoomEvent.Typing t) {
            rooms.signal(room, EncodedFrame.of(new ServerFrame.TypingNotice(room, t.user())), t.user());
        } else if (e instanceof RoomEvent.State st) {
            Payload state;
            try {
                state = Payload.parse(st.state());
            } catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "dropped an unreadable state of room " + room, ex);
                return;
            }
            // On the lane, as presence join and leave, so the coalescer sees a room's changes in one order.
            lanes.run(room, () -> rooms.clusterState(room, st.user(), state));
        } else if (e instanceof RoomEvent.Signal g && !g.node().equals(cluster.grid().localNode())) {
            // The sender's node delivered to its own members already (RoomService.signal).
            rooms.relayFrom(room, g.node() + '\u0000' + g.connection() + '\u0000' + room, g.user(), EncodedFrame.of(g.frame()));
        }
    }

    /** On the room's lane: hands a stored message to this node's members, after any it has not seen before it. */
    private void deliver(String room, long seq, EncodedFrame frame) {
        deliver(room, seq, frame, false);
    }

    /** As above; {@code live} when the frame came with the room's topic (not from the store or the early buffer). */
    private void deliver(String room, long seq, EncodedFrame frame, boolean live) {
        Feed f = feeds.get(room);
        if (f != null && live) {
            f.heard = true;
        }
        if (f == null || (f.delivered >= 0 && seq <= f.delivered)) {
            return;
        }
        if (f.delivered < 0) {
            if (f.early.size() < MAX_EARLY) {
                f.early.put(seq, frame); // the first join is being answered; more than this, the store fills in
            }
            return;
        }
        if (seq > f.delivered + 1) {
            catchUp(room, f, seq - 1);
        }
        meters.count(Meters.Count.DELIVERIES, rooms.publish(room, seq, frame));
        f.delivered = seq;
    }

    /** On the room's lane: makes sure this node's members have had the room's messages up to {@code seq}. */
    private void reach(String room, long seq) {
        Feed f = feeds.get(room);
        if (f == null || f.delivered < 0 || f.delivered >= seq) {
            return; // not followed here, a first join not answered yet (it reads the store), or delivered already
        }
        catchUp(room, f, seq);
    }

    /** Reads the room's messages after the last one delivered here, up to {@code upTo}, and delivers them. */
    private void catchUp(String room, Feed f, long upTo) {
        try {
            Recovery missed = store.since(room, f.delivered, settings.recoveryLimit());
            for (RoomMessage m : missed.messages()) {
                if (m.seq() > f.delivered && m.seq() <= upTo) {
                    meters.count(Meters.Count.DELIVERIES, rooms.publish(room, m.seq(), EncodedFrame.of(new ServerFrame.Message(m))));
                    f.delivered = m.seq();
                }
            }
        } catch (StoreUnavailableException e) {
            LOG.log(Level.WARNING, "could not read the messages of {0} after {1} this node missed: {2}",
                    new Object[]{room, f.delivered, e.getMessage()});
        }
    }
}
