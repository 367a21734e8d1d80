package dev.parley.chat;

import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.CloseCodes;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.FrameRejected;
import dev.parley.protocol.ServerFrame;
import dev.parley.session.ConnectionGuard;
import dev.parley.session.Peer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Each inbound frame of an admitted connection: counts it against the connection's rate (over it:
 * {@code rate_limited}, and 4429 when it keeps on), then hands it to the service that owns its rules.
 * Called on the connection's thread; a failure while handling one frame is answered with {@code internal}
 * and never closes the connection.
 */
@ApplicationScoped
public class FrameRouter {

    private static final Logger LOG = Logger.getLogger(FrameRouter.class.getName());

    @Inject
    RoomService rooms;
    @Inject
    DirectService directs;
    @Inject
    ConnectionService connections;
    @Inject
    ConversationService conversations;

    /** Acts on one decoded frame, if the connection is open and within its rate. */
    public void handle(Peer peer, ClientFrame frame) {
        if (!admitted(peer, frame, frame.ref())) {
            return;
        }
        try {
            dispatch(peer, frame);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "failed to handle a " + frame.getClass().getSimpleName() + " frame from " + peer, e);
            peer.send(new ServerFrame.Error(ErrorCode.INTERNAL, "internal error; the frame was not acted upon", frame.ref()));
        }
    }

    /** Answers a frame that could not be decoded (it counts against the rate like any chat frame). */
    public void reject(Peer peer, FrameRejected rejected) {
        if (admitted(peer, null, rejected.ref())) {
            peer.send(rejected.toFrame());
        }
    }

    /** Records that the client answered a heartbeat ping. */
    public void heard(Peer peer) {
        peer.guard().heard();
    }

    private boolean admitted(Peer peer, ClientFrame frame, String ref) {
        peer.received();
        if (peer.isClosed()) {
            return false; // closing (rate limit, slow consumer) or released: frames still in flight get no answer
        }
        ConnectionGuard.Verdict verdict = peer.guard().admit(frame);
        if (verdict == ConnectionGuard.Verdict.PASS) {
            return true;
        }
        peer.send(new ServerFrame.Error(ErrorCode.RATE_LIMITED, "too many frames; this one was dropped, slow down", ref));
        if (verdict == ConnectionGuard.Verdict.CLOSE) {
            LOG.info(() -> "closing " + peer + ": kept sending over its rate limit");
            peer.close(CloseCodes.TOO_MANY, "too many messages");
        }
        return false;
    }

    private void dispatch(Peer peer, ClientFrame frame) {
        if (frame instanceof ClientFrame.Post f) {
            rooms.post(peer, f);
        } else if (frame instanceof ClientFrame.Typing f) {
            rooms.typing(peer, f);
        } else if (frame instanceof ClientFrame.Signal f) {
            rooms.signal(peer, f);
        } else if (frame instanceof ClientFrame.State f) {
            rooms.state(peer, f);
        } else if (frame instanceof ClientFrame.Join f) {
            rooms.join(peer, f);
        } else if (frame instanceof ClientFrame.Leave f) {
            rooms.leave(peer, f);
        } else if (frame instanceof ClientFrame.Direct f) {
            directs.send(peer, f);
        } else if (frame instanceof ClientFrame.HistoryQuery f) {
            rooms.history(peer, f);
        } else if (frame instanceof ClientFrame.DirectHistoryQuery f) {
            conversations.history(peer, f);
        } else if (frame instanceof ClientFrame.Read f) {
            conversations.read(peer, f);
        } else if (frame instanceof ClientFrame.ListConversations f) {
            conversations.list(peer, f);
        } else if (frame instanceof ClientFrame.Members f) {
            rooms.members(peer, f);
        } else if (frame instanceof ClientFrame.ListRooms f) {
            rooms.list(peer, f);
        } else if (frame instanceof ClientFrame.Ping f) {
            peer.send(new ServerFrame.Pong(f.ref()));
        } else if (frame instanceof ClientFrame.Auth f) {
            connections.refresh(peer, f);
        } else {
            throw new IllegalStateException("no handler for " + frame.getClass().getName());
        }
    }
}
