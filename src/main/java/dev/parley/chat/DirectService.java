package dev.parley.chat;

import dev.parley.cluster.Cluster;
import dev.parley.cluster.UserDirectory;
import dev.parley.config.EventSettings;
import dev.parley.config.Settings;
import dev.parley.message.DirectMessage;
import dev.parley.message.Payload;
import dev.parley.metrics.Meters;
import dev.parley.history.Appended;
import dev.parley.history.Draft;
import dev.parley.history.Sequencer;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ServerFrame;
import dev.parley.security.AccessPolicy;
import dev.parley.session.ConnectionRegistry;
import dev.parley.session.EncodedFrame;
import dev.parley.session.IntakeWindow;
import dev.parley.session.Peer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Direct messages: stored through the {@link Sequencer} like room messages, then sent to every open
 * connection of the recipient and of the sender (so all of the sender's tabs show it), then acked.
 * A message for a user with no open connection is stored held and sent when that user next connects
 * (after {@code welcome}), oldest first, once. A sender may write only to users the direct-message rule
 * ({@link AccessPolicy#mayWrite}) allows.
 * <p>
 * A user's direct message is paced like a room message: it holds a receipt in its sender's intake window (see
 * {@link IntakeWindow}) until every connection it was queued on here (the recipient's, and the sender's tabs) has it
 * written out, so a sender flooding a reader that reads is slowed to the reader's pace instead of filling its
 * outbound queue up to the slow-consumer close. Held messages, and copies released later, hold no receipt.
 */
@ApplicationScoped
public class DirectService {

    private final ConnectionRegistry connections;
    private final Sequencer sequencer;
    private final Settings settings;
    private final AccessPolicy access;
    private final EventSettings events;
    private final Meters meters;
    private final Cluster cluster;
    private final UserDirectory directory;

    /** A service with the default event settings, counting into a {@link Meters} of its own (for tests and tools). */
    public DirectService(ConnectionRegistry connections, Sequencer sequencer, Settings settings, AccessPolicy access) {
        this(connections, sequencer, settings, access, EventSettings.defaults(), new Meters());
    }

    /** A single node's service (for tests and tools). */
    public DirectService(ConnectionRegistry connections, Sequencer sequencer, Settings settings, AccessPolicy access,
                         EventSettings events, Meters meters) {
        this(connections, sequencer, settings, access, events, meters, Cluster.single(), null);
    }

    /** The service; in a cluster ({@link Cluster#active()}) it reaches the users' connections on every node. */
    @Inject
    public DirectService(ConnectionRegistry connections, Sequencer sequencer, Settings settings, AccessPolicy access,
                         EventSettings events, Meters meters, Cluster cluster, UserDirectory directory) {
        this.cluster = cluster;
        this.directory = directory;
        if (cluster != null && cluster.active()) {
            // Another node stored a held message for a user connected here meanwhile: release it here.
            directory.onRelease(this::releaseHeld);
        }
        this.events = events;
        this.meters = meters;
        this.connections = connections;
        this.sequencer = sequencer;
        this.settings = settings;
        this.access = access;
    }

    /** For CDI's proxy only. */
    protected DirectService() {
        this(null, null, null, null, null, null, null, null);
    }

    /**
     * Stores a direct message and acks it once stored; a repeated ref gets the original ack only. Sent at
     * once to the recipient's open connections, or held for the recipient's next connection. Refused with
     * {@code forbidden}, the same answer whether or not the recipient exists, when the rule does not allow it.
     */
    public void send(Peer peer, ClientFrame.Direct direct) {
        long received = System.nanoTime();
        meters.count(Meters.Count.MESSAGES_IN);
        if (!access.mayWrite(peer, direct.to())) {
            peer.send(new ServerFrame.Error(ErrorCode.FORBIDDEN,
                    "you can only write to users who share a room with you", direct.ref()));
            return;
        }
        // Counts against the sender's intake window until the connections it goes to have it written out.
        IntakeWindow.Receipt receipt = peer.accepted(outboundBytes(direct));
        ServerFrame.Error broken = submit(direct.to(), peer.user(), direct.text(), direct.data(), direct.ref(), received,
                receipt, (appended, failure) -> peer.send(failure != null
                        ? Failures.toError(failure, direct.ref())
                        : new ServerFrame.Ack(direct.ref(), null, seqOf(appended), direct.to())));
        if (broken != null) {
            receipt.done();
            peer.send(broken);
        }
    }

    /** About the size of the frame a direct message becomes (its text and data, and room for the envelope). */
    private static int outboundBytes(ClientFrame.Direct direct) {
        return IntakePacing.outboundBytes(direct.text(), direct.data());
    }

    /** The message's seq in its conversation, or null for one stored before conversations had seqs. */
    private static Long seqOf(Appended appended) {
        long seq = ((DirectMessage) appended.message()).seq();
        return seq > 0 ? seq : null;
    }

    /**
     * Sends a direct message on behalf of a backend (the HTTP API), with no direct-message rule (the backend is
     * trusted): checked, stored and delivered exactly like a user's {@link #send}, held if the recipient has no
     * open connection; {@code ref} is its idempotency key; {@code text} may be null or empty when {@code data} is
     * given. The future completes once stored and handed to the outboxes, on the sequencer's thread: with a
     * {@link Refused} when the text or data breaks a rule, a {@code StoreUnavailableException} when it could not
     * be stored. Never null.
     */
    public CompletableFuture<Appended> publish(String to, String from, String text, Payload data, String ref) {
        return publish(to, from, text, data, ref, null);
    }

    /**
     * As above; the message holds {@code receipt} (null: none), opened by the caller (see
     * {@link IntakePacing#admitToUser}), until the connections it goes to have it written out, and lets go of it if
     * it is refused, fails or is a duplicate.
     */
    public CompletableFuture<Appended> publish(String to, String from, String text, Payload data, String ref,
                                               IntakeWindow.Receipt receipt) {
        long received = System.nanoTime();
        meters.count(Meters.Count.MESSAGES_IN);
        return Publication.of(then -> {
            ServerFrame.Error broken = submit(to, from, text, data, ref, received, receipt, then);
            if (broken != null && receipt != null) {
                receipt.done();
            }
            return broken;
        });
    }

    /**
     * Checks a direct message by the rules of every message and, when it keeps them, appends it; returns the broken
     * rule (nothing appended, {@code then} never told), or null. Shared by users and the API.
     */
    private ServerFrame.Error submit(String to, String from, String text, Payload data, String ref, long received,
                                     IntakeWindow.Receipt receipt, Sequencer.Callback then) {
        ServerFrame.Error broken = MessageRules.check(text, data, ref, settings, events);
        if (broken != null) {
            return broken;
        }
        append(new Draft.ToUser(to, from, text == null ? "" : text, ref, RoomService.now(), data), received, receipt, then);
        return null;
    }

    /**
     * The one path of a direct message: stored, delivered unless duplicate (to the recipient unless held), then
     * {@code then}. The sender's {@code receipt} (null: none) is held by each copy queued here and let go once all are.
     */
    private void append(Draft.ToUser draft, long received, IntakeWindow.Receipt receipt, Sequencer.Callback then) {
        sequencer.submit(draft, (appended, failure) -> {
            try {
                if (failure == null && !appended.duplicate()) {
                    meters.count(Meters.Count.MESSAGES_STORED);
                    meters.count(Meters.Count.DELIVERIES, deliver((DirectMessage) appended.message(), !appended.held(), receipt));
                    if (appended.held() && cluster.active() && directory.online(draft.to())) {
                        // The recipient connected on another node after this one found them unreachable: that node
                        // may have released before this message was stored, so ask it to release again.
                        directory.releaseElsewhere(draft.to());
                    }
                }
            } finally {
                if (receipt != null) {
                    receipt.done();
                }
            }
            then.done(appended, failure);
            if (failure == null) {
                meters.acked(System.nanoTime() - received);
            }
        });
    }

    /**
     * Call when a connection of {@code user} is about to become reachable (before it is registered):
     * direct messages to the user are held from now until {@link #connected}.
     */
    public void connecting(String user) {
        sequencer.hold(user);
    }

    /**
     * Call once the connection is registered and welcomed: sends the user every direct message held for
     * them, oldest first, to each of their open connections.
     */
    public void connected(String user) {
        sequencer.release(user, messages -> {
            List<Peer> peers = connections.peersOf(user);
            meters.count(Meters.Count.DELIVERIES, (long) peers.size() * messages.size());
            for (DirectMessage m : messages) {
                EncodedFrame frame = EncodedFrame.of(new ServerFrame.Direct(m));
                peers.forEach(p -> p.send(frame));
                if (cluster.active()) {
                    directory.sendElsewhere(List.of(user), frame); // the user's tabs on other nodes
                }
            }
        });
    }

    /** Releases what is held for a user connected here, as a new connection would (a hold and its release). */
    private void releaseHeld(String user) {
        sequencer.hold(user);
        connected(user);
    }

    /**
     * Sends to the recipient's connections (unless held) and the sender's; each copy holds {@code receipt} (null:
     * none) until written out. All are queued before any is written, so a slow first socket never delays the others'
     * queueing. Returns how many.
     */
    private int deliver(DirectMessage m, boolean toRecipient, IntakeWindow.Receipt receipt) {
        EncodedFrame frame = EncodedFrame.of(new ServerFrame.Direct(m));
        Set<Peer> targets = new LinkedHashSet<>();
        if (toRecipient) {
            targets.addAll(connections.peersOf(m.to()));
        }
        targets.addAll(connections.peersOf(m.from()));
        targets.forEach(p -> p.enqueue(frame, receipt));
        targets.forEach(Peer::flush);
        if (cluster.active()) {
            directory.sendElsewhere(toRecipient ? Set.of(m.to(), m.from()) : Set.of(m.from()), frame);
        }
        return targets.size();
    }
}
