package dev.parley.chat;

import dev.parley.config.Settings;
import dev.parley.history.Conversation;
import dev.parley.history.DirectRecovery;
import dev.parley.history.Mark;
import dev.parley.history.Marked;
import dev.parley.history.MessageStore;
import dev.parley.history.Sequencer;
import dev.parley.history.StoreUnavailableException;
import dev.parley.message.ConversationId;
import dev.parley.message.DirectMessage;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ServerFrame;
import dev.parley.session.ConnectionRegistry;
import dev.parley.session.EncodedFrame;
import dev.parley.session.Peer;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A user's conversations across connections, devices and restarts: the {@code conversations} list (rooms joined
 * and not left, direct partners, each with its newest and read seq), the read state ({@code read}, stored through
 * the {@link Sequencer}, never backwards, and passed to all the user's connections), and the history of direct
 * conversations ({@code history} with {@code with}: pages and recovery with {@code since}). Called on the
 * connection's thread; read-state answers go out from the sequencer's thread once stored.
 */
@ApplicationScoped
public class ConversationService {

    private static final Logger LOG = Logger.getLogger(ConversationService.class.getName());

    private final ConnectionRegistry connections;
    private final MessageStore store;
    private final Sequencer sequencer;
    private final Settings settings;
    /** Where conversations are read, off the sequencer's thread; set by the container (or a test). */
    @Resource
    ManagedExecutorService executor;

    @Inject
    public ConversationService(ConnectionRegistry connections, MessageStore store, Sequencer sequencer, Settings settings) {
        this.connections = connections;
        this.store = store;
        this.sequencer = sequencer;
        this.settings = settings;
    }

    /** For CDI's proxy only. */
    protected ConversationService() {
        this(null, null, null, null);
    }

    /**
     * A new connection was welcomed and put in its first rooms: once what the user submitted so far (those
     * rooms remembered) and the held direct messages went out, sends the user's conversations. If the store is
     * down nothing is sent (the client may ask).
     */
    public void connected(Peer peer) {
        if (!afterPending(peer, null, false)) {
            LOG.log(Level.FINE, "no conversations sent to {0}: the sequencer is busy or stopped", peer);
        }
    }

    /**
     * Answers {@code conversations} once everything the user sent before was stored (a room just left is not in
     * it), or {@code unavailable} when the store cannot be read or the server is busy.
     */
    public void list(Peer peer, ClientFrame.ListConversations q) {
        if (!afterPending(peer, q.ref(), true)) {
            peer.send(unavailable(new StoreUnavailableException("server busy", null), q.ref()));
        }
    }

    /** Reads and sends the conversations on the executor, after what the user submitted before; false if not queued. */
    private boolean afterPending(Peer peer, String ref, boolean asked) {
        return sequencer.afterPending(peer.user(), () -> {
            try {
                executor.execute(() -> sendConversations(peer, ref, asked));
            } catch (RejectedExecutionException e) {
                LOG.log(Level.FINE, "no conversations sent to {0}: the server is stopping", peer);
            }
        });
    }

    private void sendConversations(Peer peer, String ref, boolean asked) {
        if (peer.isClosed()) {
            return;
        }
        List<Conversation> stored;
        try {
            stored = store.conversations(peer.user());
        } catch (StoreUnavailableException e) {
            LOG.log(Level.FINE, "conversations of {0} unavailable: {1}", new Object[]{peer.user(), e.getMessage()});
            if (asked) {
                peer.send(unavailable(e, ref));
            }
            return;
        }
        List<ServerFrame.ConversationInfo> rooms = new ArrayList<>();
        List<ServerFrame.ConversationInfo> direct = new ArrayList<>();
        for (Conversation c : stored) {
            if (c.id().isRoom()) {
                rooms.add(new ServerFrame.ConversationInfo(c.id(), c.newest(), c.read(), null));
            } else {
                direct.add(new ServerFrame.ConversationInfo(c.id(), c.newest(), c.read(), connections.isOnline(c.id().with())));
            }
        }
        peer.send(new ServerFrame.Conversations(store.epoch(), rooms, direct, ref));
    }

    /**
     * Stores that the user read a conversation up to a seq, and once stored sends {@code read} to every connection
     * of the user (the reader's with its ref); a seq at or below the stored one changes nothing and is answered to
     * the reader alone with the stored seq. Refused with {@code not_member} (a room this connection is not in),
     * {@code invalid} (beyond the newest message) or {@code unavailable}.
     */
    public void read(Peer peer, ClientFrame.Read read) {
        ConversationId id = read.conversation();
        if (id.isRoom() && !peer.rooms().contains(id.room())) {
            peer.send(new ServerFrame.Error(ErrorCode.NOT_MEMBER, "not a member of room " + id.room(), read.ref()));
            return;
        }
        String user = peer.user();
        sequencer.mark(new Mark.Read(user, id, read.seq()), (marked, failure) -> {
            if (failure != null) {
                peer.send(unavailable(failure, read.ref()));
            } else if (marked.outcome() == Marked.Outcome.BEYOND) {
                peer.send(new ServerFrame.Error(ErrorCode.INVALID, "seq " + read.seq() + " is beyond the newest message of "
                        + id.describe() + " (" + marked.newest() + ")", read.ref()));
            } else if (marked.outcome() == Marked.Outcome.UNCHANGED) {
                peer.send(new ServerFrame.ReadState(id, marked.read(), read.ref()));
            } else {
                EncodedFrame others = EncodedFrame.of(new ServerFrame.ReadState(id, marked.read(), null));
                for (Peer p : connections.peersOf(user)) {
                    if (p != peer) {
                        p.send(others);
                    }
                }
                peer.send(new ServerFrame.ReadState(id, marked.read(), read.ref()));
            }
        });
    }

    /**
     * Answers a history query of the direct conversation with another user: a page back ({@code before},
     * {@code limit}) or the messages after {@code since} (at most the recovery limit, the newest, with
     * {@code truncated}; a since beyond the newest message is answered as without it).
     */
    public void history(Peer peer, ClientFrame.DirectHistoryQuery q) {
        String user = peer.user();
        try {
            if (q.since() != null) {
                DirectRecovery recovery = store.directSince(user, q.with(), q.since(), settings.recoveryLimit());
                if (q.since() <= recovery.head()) {
                    peer.send(new ServerFrame.DirectHistory(q.with(), recovery.messages(), recovery.truncated(), q.ref()));
                    return;
                }
            }
            int limit = q.limit() == null ? settings.joinHistory() : q.limit();
            List<DirectMessage> page = store.directPage(user, q.with(), q.before(), limit);
            peer.send(new ServerFrame.DirectHistory(q.with(), page, false, q.ref()));
        } catch (StoreUnavailableException e) {
            peer.send(unavailable(e, q.ref()));
        }
    }

    private static ServerFrame.Error unavailable(RuntimeException failure, String ref) {
        return new ServerFrame.Error(failure instanceof StoreUnavailableException ? ErrorCode.UNAVAILABLE : ErrorCode.INTERNAL,
                "conversations not available now (" + failure.getMessage() + "); try again later", ref);
    }
}
