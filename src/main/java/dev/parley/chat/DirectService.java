package dev.parley.chat;

import dev.parley.config.EventSettings;
import dev.parley.config.Settings;
import dev.parley.message.DirectMessage;
import dev.parley.history.Draft;
import dev.parley.history.Sequencer;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ServerFrame;
import dev.parley.security.AccessPolicy;
import dev.parley.session.ConnectionRegistry;
import dev.parley.session.EncodedFrame;
import dev.parley.session.Peer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Direct messages: stored through the {@link Sequencer} like room messages, then sent to every open
 * connection of the recipient and of the sender (so all of the sender's tabs show it), then acked.
 * A message for a user with no open connection is stored held and sent when that user next connects
 * (after {@code welcome}), oldest first, once. A sender may write only to users the direct-message rule
 * ({@link AccessPolicy#mayWrite}) allows.
 */
@ApplicationScoped
public class DirectService {

    private final ConnectionRegistry connections;
    private final Sequencer sequencer;
    private final Settings settings;
    private final AccessPolicy access;
    private final EventSettings events;

    /** A service with the default event settings. */
    public DirectService(ConnectionRegistry connections, Sequencer sequencer, Settings settings, AccessPolicy access) {
        this(connections, sequencer, settings, access, EventSettings.defaults());
    }

    @Inject
    public DirectService(ConnectionRegistry connections, Sequencer sequencer, Settings settings, AccessPolicy access,
                         EventSettings events) {
        this.events = events;
        this.connections = connections;
        this.sequencer = sequencer;
        this.settings = settings;
        this.access = access;
    }

    /** For CDI's proxy only. */
    protected DirectService() {
        this(null, null, null, null, null);
    }

    /**
     * Stores a direct message and acks it once stored; a repeated ref gets the original ack only. Sent at
     * once to the recipient's open connections, or held for the recipient's next connection. Refused with
     * {@code forbidden}, the same answer whether or not the recipient exists, when the rule does not allow it.
     */
    public void send(Peer peer, ClientFrame.Direct direct) {
        if (!access.mayWrite(peer, direct.to())) {
            peer.send(new ServerFrame.Error(ErrorCode.FORBIDDEN,
                    "you can only write to users who share a room with you", direct.ref()));
            return;
        }
        ServerFrame.Error broken = MessageRules.check(direct.text(), direct.data(), direct.ref(), settings, events);
        if (broken != null) {
            peer.send(broken);
            return;
        }
        String text = direct.text() == null ? "" : direct.text();
        Draft draft = new Draft.ToUser(direct.to(), peer.user(), text, direct.ref(), RoomService.now(), direct.data());
        sequencer.submit(draft, (appended, failure) -> {
            if (failure != null) {
                peer.send(Failures.toError(failure, direct.ref()));
                return;
            }
            DirectMessage m = (DirectMessage) appended.message();
            if (!appended.duplicate()) {
                deliver(m, !appended.held());
            }
            peer.send(new ServerFrame.Ack(direct.ref(), null, null, m.to()));
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
            for (DirectMessage m : messages) {
                EncodedFrame frame = EncodedFrame.of(new ServerFrame.Direct(m));
                peers.forEach(p -> p.send(frame));
            }
        });
    }

    private void deliver(DirectMessage m, boolean toRecipient) {
        EncodedFrame frame = EncodedFrame.of(new ServerFrame.Direct(m));
        Set<Peer> targets = new LinkedHashSet<>();
        if (toRecipient) {
            targets.addAll(connections.peersOf(m.to()));
        }
        targets.addAll(connections.peersOf(m.from()));
        targets.forEach(p -> p.send(frame));
    }
}
