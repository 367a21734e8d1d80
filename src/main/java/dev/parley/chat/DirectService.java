package dev.parley.chat;

import dev.parley.config.Settings;
import dev.parley.history.DirectMessage;
import dev.parley.history.Draft;
import dev.parley.history.Sequencer;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.ServerFrame;
import dev.parley.session.ConnectionRegistry;
import dev.parley.session.EncodedFrame;
import dev.parley.session.Peer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Direct messages: stored through the {@link Sequencer} like room messages, then sent to every open
 * connection of the recipient and of the sender (so all of the sender's tabs show it), then acked.
 */
@ApplicationScoped
public class DirectService {

    private final ConnectionRegistry connections;
    private final Sequencer sequencer;
    private final Settings settings;

    @Inject
    public DirectService(ConnectionRegistry connections, Sequencer sequencer, Settings settings) {
        this.connections = connections;
        this.sequencer = sequencer;
        this.settings = settings;
    }

    /** For CDI's proxy only. */
    protected DirectService() {
        this(null, null, null);
    }

    /** Sends a direct message; answers {@code offline} when the recipient has no open connection. */
    public void send(Peer peer, ClientFrame.Direct direct) {
        ServerFrame.Error broken = MessageRules.check(direct.text(), direct.ref(), settings);
        if (broken != null) {
            peer.send(broken);
            return;
        }
        if (!connections.isOnline(direct.to())) {
            peer.send(new ServerFrame.Error(ErrorCode.OFFLINE, direct.to() + " is not connected", direct.ref()));
            return;
        }
        Draft draft = new Draft.ToUser(direct.to(), peer.user(), direct.text(), direct.ref(), RoomService.now());
        sequencer.submit(draft, (appended, failure) -> {
            if (failure != null) {
                peer.send(Failures.toError(failure, direct.ref()));
                return;
            }
            DirectMessage m = (DirectMessage) appended.message();
            if (!appended.duplicate()) {
                deliver(m);
            }
            peer.send(new ServerFrame.Ack(direct.ref(), null, null, m.to()));
        });
    }

    private void deliver(DirectMessage m) {
        EncodedFrame frame = EncodedFrame.of(FrameCodec.shared().encode(new ServerFrame.Direct(m)));
        Set<Peer> targets = new LinkedHashSet<>(connections.peersOf(m.to()));
        targets.addAll(connections.peersOf(m.from()));
        targets.forEach(p -> p.send(frame));
    }
}
