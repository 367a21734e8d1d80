package dev.parley.chat;

import dev.parley.cluster.Cluster;
import dev.parley.cluster.ClusterPresence;
import dev.parley.cluster.RoomRouter;
import dev.parley.cluster.SignalRelay;
import dev.parley.config.EventSettings;
import dev.parley.config.Settings;
import dev.parley.history.Appended;
import dev.parley.history.Draft;
import dev.parley.history.Mark;
import dev.parley.history.MessageStore;
import dev.parley.history.Recovery;
import dev.parley.message.Payload;
import dev.parley.message.RoomMessage;
import dev.parley.metrics.Meters;
import dev.parley.history.Sequencer;
import dev.parley.history.StoreUnavailableException;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ServerFrame;
import dev.parley.room.RoomLanes;
import dev.parley.room.RoomRegistry;
import dev.parley.security.AccessPolicy;
import dev.parley.security.RoomTrail;
import dev.parley.security.SecuritySettings;
import dev.parley.room.TypingThrottle;
import dev.parley.session.EncodedFrame;
import dev.parley.session.IntakeWindow;
import dev.parley.session.Peer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The room frames of the protocol: join, leave, message, typing, history and the room list, with the rules
 * that guard them (who may join which room, how many rooms per connection and members per room, members
 * only for posts, typing and history). Records in the {@link RoomTrail} only joins and leaves that happened.
 * Called on the connection's own thread; replies go to the peer's outbox, room traffic through the
 * {@link RoomRegistry}, and messages through the {@link Sequencer}, which announces them once stored; the
 * fan-out of a stored message runs on its room's {@link RoomLanes lane}.
 */
@ApplicationScoped
public class RoomService {

    private static final Logger LOG = Logger.getLogger(RoomService.class.getName());

    private final RoomRegistry rooms;
    private final MessageStore store;
    private final Sequencer sequencer;
    private final Settings settings;
    private final SecuritySettings security;
    private final RoomTrail trail;
    private final TypingThrottle typing;
    private final EventSettings events;
    private final RoomLanes lanes;
    private final Meters meters;
    private final Cluster cluster;
    private final RoomRouter router;
    private final ClusterPresence presence;
    private final SignalRelay signals;

    /** A single node's room service (for tests and tools). */
    public RoomService(RoomRegistry rooms, MessageStore store, Sequencer sequencer, Settings settings,
                       SecuritySettings security, RoomTrail trail, EventSettings events, RoomLanes lanes, Meters meters) {
        this(rooms, store, sequencer, settings, security, trail, events, lanes, meters, Cluster.single(), null, null, null);
    }

    /**
     * The room service; in a cluster ({@link Cluster#active()}) messages go through the room's owner, and presence,
     * states, signals, member lists and the member limit are cluster-wide.
     */
    @Inject
    public RoomService(RoomRegistry rooms, MessageStore store, Sequencer sequencer, Settings settings,
                       SecuritySettings security, RoomTrail trail, EventSettings events, RoomLanes lanes, Meters meters,
                       Cluster cluster, RoomRouter router, ClusterPresence presence, SignalRelay signals) {
        this.cluster = cluster;
        this.signals = signals;
        this.router = router;
        this.presence = presence;
        this.events = events;
        this.rooms = rooms;
        this.lanes = lanes;
        this.store = store;
        this.sequencer = sequencer;
        this.settings = settings;
        this.security = security;
        this.trail = trail;
        this.meters = meters;
        this.typing = new TypingThrottle(settings.typingInterval().toMillis(), System::nanoTime);
    }

    /** For CDI's proxy only. */
    protected RoomService() {
        this.rooms = null;
        this.store = null;
        this.sequencer = null;
        this.settings = null;
        this.security = null;
        this.trail = null;
        this.typing = null;
        this.events = null;
        this.lanes = null;
        this.meters = null;
        this.cluster = null;
        this.router = null;
        this.presence = null;
        this.signals = null;
    }

    /**
     * Joins the room and answers with {@code joined}: members and history, or for a {@code since} the
     * messages missed after it; the answer always precedes the room's live traffic. Refused with
     * {@code forbidden} (a private room the identity does not grant), {@code invalid} (the connection is in
     * as many rooms as it may be) or {@code room_full} (the room holds as many users as it may).
     */
    public void join(Peer peer, ClientFrame.Join join) {
        String room = join.room();
        if (!AccessPolicy.mayEnter(peer.identity(), room)) {
            peer.send(new ServerFrame.Error(ErrorCode.FORBIDDEN, "you may not join room " + room, join.ref()));
            return;
        }
        int maxRooms = security.roomsPerConnection();
        Set<String> mine = peer.rooms();
        if (maxRooms > 0 && !mine.contains(room) && mine.size() >= maxRooms) {
            peer.send(new ServerFrame.Error(ErrorCode.INVALID,
                    "a connection may be in at most " + maxRooms + " rooms; leave one first", join.ref()));
            return;
        }
        if (!enter(peer, join, security.membersPerRoom())) {
            peer.send(new ServerFrame.Error(ErrorCode.ROOM_FULL, "room " + room + " is full", join.ref()));
            return;
        }
        trail.record(peer.user(), room);
        remember(new Mark.Enter(peer.user(), room));
    }

    /**
     * Remembers a room joined, or forgets one left on purpose, among the user's conversations (see
     * {@link ConversationService}), through the sequencer; a failure is only logged (the next join tries again).
     */
    private void remember(Mark mark) {
        sequencer.mark(mark, (marked, failure) -> {
            if (failure != null) { // the sequencer logged the failed batch
                LOG.log(Level.FINE, "could not store {0}: {1}", new Object[]{mark, failure.getMessage()});
            }
        });
    }

    /** Joins and answers {@code joined}, unless the user would be the room's {@code maxMembers + 1}th (0: no limit). */
    private boolean enter(Peer peer, ClientFrame.Join join, int maxMembers) {
        String room = join.room();
        if (cluster.active() && maxMembers > 0 && !rooms.hasUser(room, peer.user())
                && presence.isFull(room, peer.user(), rooms.members(room), maxMembers)) {
            return false; // the cluster's users; the join below checks this node's under the room's monitor
        }
        RoomRegistry.Membership membership = rooms.join(peer, room, maxMembers);
        if (membership == null) {
            return false;
        }
        List<String> members = membership.members();
        Map<String, Payload> states = membership.states();
        if (cluster.active()) {
            // Follow the room's traffic before reading its history, so no message stored after that read passes by.
            router.attach(room);
            presence.changed(room, peer.user());
            members = presence.members(room, members);
            states = presence.states(room, members, states);
        }
        if (peer.isClosed()) {
            // Closed while joining: its close marks the peer closed before it reads the peer's rooms, and this
            // check follows the join, so one of the two always sees the other and the room is never left a ghost.
            departed(peer, room);
            return true;
        }
        String epoch = store.epoch();
        List<RoomMessage> history;
        boolean truncated;
        long upTo;
        Long since = join.epoch() != null && !join.epoch().equals(epoch) ? null : join.since();
        try {
            Recovery recovery = since == null ? null : store.since(room, since, settings.recoveryLimit());
            if (recovery != null && since <= recovery.head()) {
                history = recovery.messages();
                truncated = recovery.truncated();
                upTo = history.isEmpty() ? since : last(history);
            } else {
                // No since, another epoch's since, or one beyond the newest message (history was reset):
                // start from the newest messages, as a new client would.
                history = store.page(room, null, settings.joinHistory());
                truncated = false;
                upTo = history.isEmpty() ? 0 : last(history);
            }
        } catch (StoreUnavailableException e) {
            // Membership, presence and typing do not need the store: join anyway, and say the history
            // is incomplete; the client pages with history once the store is back.
            LOG.log(Level.WARNING, "history unavailable for a join of {0}: {1}", new Object[]{room, e.getMessage()});
            history = List.of();
            truncated = true;
            upTo = since == null ? 0 : since;
        }
        if (cluster.active()) {
            router.joined(room, upTo);
        }
        // The count goes to clients that asked for diffs, and to everyone when the list is only its first page.
        // In a cluster the list is the cluster's, whole.
        Integer count = cluster.active() ? (peer.presenceDiffs() ? Integer.valueOf(members.size()) : null)
                : membership.partial() || peer.presenceDiffs() ? Integer.valueOf(membership.count()) : null;
        ServerFrame.Joined joined = new ServerFrame.Joined(room, members, states, history, epoch,
                truncated, join.ref(), count);
        membership.subscription().activate(encode(joined), upTo);
        return true;
    }

    /** Leaves the room and answers {@code left}, or {@code not_member}. */
    public void leave(Peer peer, ClientFrame.Leave leave) {
        if (!departed(peer, leave.room())) {
            peer.send(notMember(leave.room(), leave.ref()));
            return;
        }
        remember(new Mark.Forget(peer.user(), leave.room()));
        peer.send(new ServerFrame.Left(leave.room(), leave.ref()));
    }

    /** Leaves every room the connection is in, without answers: the connection is closing. */
    public void leaveAll(Peer peer) {
        for (String room : peer.roomList()) {
            departed(peer, room);
        }
    }

    /** Leaves the room if the connection is in it; only then is the leave noted in the trail. */
    private boolean departed(Peer peer, String room) {
        RoomRegistry.Departure d = rooms.leave(peer, room);
        if (d == RoomRegistry.Departure.NOT_MEMBER) {
            return false;
        }
        trail.record(peer.user(), room);
        if (d == RoomRegistry.Departure.LEFT_LAST) {
            typing.forget(room, peer.user());
            if (cluster.active()) {
                presence.changed(room, peer.user());
            }
        }
        return true;
    }

    /**
     * Stores a message and, once stored, sends it to every member and the {@code ack} to the sender.
     * A plain text frame (room null) goes to the default room. A repeated ref gets the original ack only.
     */
    public void post(Peer peer, ClientFrame.Post post) {
        long received = System.nanoTime();
        meters.count(Meters.Count.MESSAGES_IN);
        String room = post.room() != null ? post.room() : settings.defaultRoom();
        if (room == null || !peer.rooms().contains(room)) {
            peer.send(room == null
                    ? new ServerFrame.Error(ErrorCode.NOT_MEMBER, "there is no default room; send a message frame with a room", post.ref())
                    : notMember(room, post.ref()));
            return;
        }
        // Counts against the sender's intake window until every member that reads has it (see IntakeWindow).
        IntakeWindow.Receipt receipt = peer.accepted(outboundBytes(post));
        ServerFrame.Error broken = submit(room, peer.user(), post.text(), post.data(), post.ref(), received, receipt,
                (appended, failure) -> peer.send(failure != null
                        ? Failures.toError(failure, post.ref())
                        : new ServerFrame.Ack(post.ref(), room, ((RoomMessage) appended.message()).seq(), null)));
        if (broken != null) {
            receipt.done();
            peer.send(broken);
        }
    }

    /** About the size of the message frame a post becomes (its text and data, and room for the envelope). */
    private static int outboundBytes(ClientFrame.Post post) {
        return IntakePacing.outboundBytes(post.text(), post.data());
    }

    /**
     * Publishes a message on behalf of a backend (the HTTP API): checked by the same rules, stored, sequenced and
     * broadcast exactly like a member's {@link #post}, with {@code ref} as its idempotency key (a repeated one
     * gets the original, marked duplicate, and nothing is sent again). {@code text} may be null or empty when
     * {@code data} is given. The sender need not be a member. The future completes once the message is stored
     * and handed to the members' outboxes, on the room's lane ({@link RoomLanes}): with a {@link Refused} when
     * the text or data breaks a rule, a {@link StoreUnavailableException} when it could not be stored. Never null.
     */
    public CompletableFuture<Appended> publish(String room, String from, String text, Payload data, String ref) {
        return publish(room, from, text, data, ref, null);
    }

    /**
     * As above; the message holds {@code receipt} (null: none), opened by the caller (see
     * {@link IntakePacing#admitToRoom}), until the members that read have it written out, and lets go of it if it is
     * refused, fails or is a duplicate.
     */
    public CompletableFuture<Appended> publish(String room, String from, String text, Payload data, String ref,
                                               IntakeWindow.Receipt receipt) {
        long received = System.nanoTime();
        meters.count(Meters.Count.MESSAGES_IN);
        return Publication.of(then -> {
            ServerFrame.Error broken = submit(room, from, text, data, ref, received, receipt, then);
            if (broken != null && receipt != null) {
                receipt.done();
            }
            return broken;
        });
    }

    /**
     * Checks a message by the rules of every message and, when it keeps them, appends it ({@link #append}); returns
     * the broken rule (nothing appended, {@code then} never told), or null. Shared by members and the API.
     */
    private ServerFrame.Error submit(String room, String from, String text, Payload data, String ref, long received,
                                     IntakeWindow.Receipt receipt, Sequencer.Callback then) {
        ServerFrame.Error broken = MessageRules.check(text, data, ref, settings, events);
        if (broken != null) {
            return broken;
        }
        append(new Draft.ToRoom(room, from, text == null ? "" : text, ref, now(), data), received, receipt, then);
        return null;
    }

    /**
     * The one path of a room message into the room: stored by the sequencer, then (unless it was a duplicate)
     * broadcast to the members, then {@code then} is told (the ack), on the room's lane (a failure to store on the
     * sequencer's thread). Counted in
     * {@link Meters}: stored, deliveries, acks with the latency since {@code received} ({@link System#nanoTime}).
     * The sender's {@code receipt} (null: none) is held by each member's copy and let go here once all are queued.
     */
    private void append(Draft.ToRoom draft, long received, IntakeWindow.Receipt receipt, Sequencer.Callback then) {
        if (cluster.active()) {
            // The room's owner stores and publishes it; the router answers on the room's lane once delivered here.
            // In a cluster the receipt counts until then (the owner's answer and this node's copies queued), not
            // until each copy is written out: the members on other nodes get it from their own node.
            router.append(draft, (appended, failure) -> {
                if (receipt != null) {
                    receipt.done();
                }
                then.done(appended, failure);
                if (failure == null) {
                    meters.acked(System.nanoTime() - received);
                }
            });
            return;
        }
        sequencer.submit(draft, (appended, failure) -> {
            if (failure != null) {
                if (receipt != null) {
                    receipt.done();
                }
                then.done(appended, failure);
                return;
            }
            // Fan-out leaves the sequencer's thread: the room's lane delivers in seq order (the sequencer hands a
            // room's messages over in that order), rooms in parallel; the ack follows the sender's own copy.
            lanes.run(draft.room(), () -> {
                try {
                    if (!appended.duplicate()) {
                        RoomMessage m = (RoomMessage) appended.message();
                        meters.count(Meters.Count.MESSAGES_STORED);
                        meters.count(Meters.Count.DELIVERIES,
                                rooms.publish(m.room(), m.seq(), encode(new ServerFrame.Message(m)), receipt));
                    }
                } finally {
                    if (receipt != null) {
                        receipt.done();
                    }
                }
                then.done(appended, null);
                meters.acked(System.nanoTime() - received);
            });
        });
    }

    /** Forwards a typing notice to the other members, at most one per user per room per interval. */
    public void typing(Peer peer, ClientFrame.Typing t) {
        if (!peer.rooms().contains(t.room())) {
            peer.send(notMember(t.room(), t.ref()));
            return;
        }
        if (!typing.pass(t.room(), peer.user())) {
            return;
        }
        if (cluster.active()) {
            router.typing(t.room(), peer.user()); // every node's members, this one's included, through the room's topic
        } else {
            rooms.signal(t.room(), encode(new ServerFrame.TypingNotice(t.room(), peer.user())), peer.user());
        }
    }

    /**
     * Passes a signal to the room's other members at once: not stored, not acked, and for a member that cannot
     * keep up replaced by newer ones or dropped (see {@link RoomRegistry#relay}). Members only; the data within
     * the data limit ({@code too_long}).
     */
    public void signal(Peer peer, ClientFrame.Signal s) {
        if (!peer.rooms().contains(s.room())) {
            peer.send(notMember(s.room(), s.ref()));
            return;
        }
        ServerFrame.Error tooBig = MessageRules.checkSize(s.data(), events.maxDataBytes(), "data", s.ref());
        if (tooBig != null) {
            peer.send(tooBig);
            return;
        }
        EncodedFrame frame = encode(new ServerFrame.Signal(s.room(), peer.user(), s.data()));
        rooms.relay(s.room(), peer, frame);
        if (cluster.active()) {
            signals.send(s.room(), peer.id(), peer.user(), frame.text()); // the members on other nodes, soon
        }
    }

    /**
     * Sets the user's state in the room (shown in {@code joined} and sent to the others as presence
     * {@code update}) until the user's last connection leaves. Members only; within the state limit.
     */
    public void state(Peer peer, ClientFrame.State s) {
        ServerFrame.Error tooBig = MessageRules.checkSize(s.data(), events.maxStateBytes(), "state", s.ref());
        if (tooBig != null) {
            peer.send(tooBig);
            return;
        }
        if (cluster.active()) {
            // Every node's members are told through the room's topic, this node's too (ClusterPresence).
            if (!peer.rooms().contains(s.room())) {
                peer.send(notMember(s.room(), s.ref()));
            } else {
                presence.state(s.room(), peer.user(), s.data());
            }
        } else if (!rooms.state(peer, s.room(), s.data())) {
            peer.send(notMember(s.room(), s.ref()));
        }
    }

    /**
     * Answers a history query with up to {@code limit} messages before {@code before}, oldest first, or with the
     * messages after {@code since} (at most the recovery limit, the newest, with {@code truncated}; a since beyond
     * the newest message is answered as without it). Members only.
     */
    public void history(Peer peer, ClientFrame.HistoryQuery q) {
        if (!peer.rooms().contains(q.room())) {
            peer.send(notMember(q.room(), q.ref()));
            return;
        }
        int limit = q.limit() == null ? settings.joinHistory() : q.limit();
        try {
            if (q.since() != null) {
                Recovery recovery = store.since(q.room(), q.since(), settings.recoveryLimit());
                if (q.since() <= recovery.head()) {
                    peer.send(new ServerFrame.History(q.room(), recovery.messages(), recovery.truncated(), q.ref()));
                    return;
                }
            }
            peer.send(new ServerFrame.History(q.room(), store.page(q.room(), q.before(), limit), q.ref()));
        } catch (StoreUnavailableException e) {
            peer.send(Failures.toError(e, q.ref()));
        }
    }

    /**
     * Answers with a page of the room's members (see {@link RoomRegistry#page}), on the room's lane, so that the page
     * and the room's presence diffs reach the client in the order they were taken. Members only.
     */
    public void members(Peer peer, ClientFrame.Members q) {
        if (!peer.rooms().contains(q.room())) {
            peer.send(notMember(q.room(), q.ref()));
            return;
        }
        int limit = q.limit() == null ? rooms.presence().pageSize() : q.limit();
        if (cluster.active()) {
            // The cluster's members, read here (grid I/O, no lock held), answered on the room's lane.
            List<String> all = presence.members(q.room(), rooms.members(q.room()));
            int from = q.after() == null ? 0 : insertionPoint(all, q.after());
            List<String> page = all.subList(from, Math.min(all.size(), from + limit));
            String next = from + limit < all.size() ? page.get(page.size() - 1) : null;
            Map<String, Payload> states = presence.states(q.room(), page, Map.of());
            ServerFrame.Members answer = new ServerFrame.Members(q.room(), List.copyOf(page), states, all.size(), next, q.ref());
            lanes.run(q.room(), () -> peer.send(answer));
            return;
        }
        lanes.run(q.room(), () -> {
            RoomRegistry.MemberPage page = rooms.page(q.room(), q.after(), limit);
            peer.send(new ServerFrame.Members(q.room(), page.members(), page.states(), page.count(), page.next(), q.ref()));
        });
    }

    /** Answers with the rooms that have members and that this connection may enter (private ones only if granted). */
    public void list(Peer peer, ClientFrame.ListRooms q) {
        peer.send(new ServerFrame.Rooms(roomList().stream()
                .filter(r -> AccessPolicy.mayEnter(peer.identity(), r.name())).toList(), q.ref()));
    }

    /**
     * Every room with members, by name, with its number of distinct users: this node's, or in a cluster every node's
     * (each user counted once). Never null. In a cluster, grid I/O on the caller's thread.
     */
    public List<ServerFrame.RoomInfo> roomList() {
        if (!cluster.active()) {
            return rooms.list();
        }
        Map<String, List<String>> local = new java.util.HashMap<>();
        rooms.list().forEach(r -> local.put(r.name(), rooms.members(r.name())));
        return presence.rooms(local);
    }

    /**
     * The distinct users in the room, sorted, this node's or in a cluster every node's; empty when nobody is in it.
     * Never null. In a cluster, grid I/O on the caller's thread.
     */
    public List<String> members(String room) {
        List<String> local = rooms.members(room);
        return cluster.active() ? presence.members(room, local) : local;
    }

    /** The index of the first of the sorted {@code users} after {@code after}. */
    private static int insertionPoint(List<String> users, String after) {
        int i = java.util.Collections.binarySearch(users, after);
        return i >= 0 ? i + 1 : -i - 1;
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private static long last(List<RoomMessage> messages) {
        return messages.get(messages.size() - 1).seq();
    }

    private static ServerFrame.Error notMember(String room, String ref) {
        return new ServerFrame.Error(ErrorCode.NOT_MEMBER, "not a member of room " + room, ref);
    }

    private static EncodedFrame encode(ServerFrame frame) {
        return EncodedFrame.of(frame);
    }
}
