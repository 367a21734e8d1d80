package dev.parley.chat;

import dev.parley.config.Settings;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.CloseCodes;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.FrameRejected;
import dev.parley.protocol.Names;
import dev.parley.protocol.ServerFrame;
import dev.parley.session.ConnectionRegistry;
import dev.parley.session.Handshake;
import dev.parley.session.Peer;
import dev.parley.session.Transport;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A connection's life as the protocol sees it: open (name, welcome, default room), each decoded frame,
 * each refused frame, and close. The endpoint calls in on the connection's thread and knows nothing else;
 * a failure while handling one frame is answered with {@code internal} and never closes the connection.
 */
@ApplicationScoped
public class ChatService {

    private static final Logger LOG = Logger.getLogger(ChatService.class.getName());
    private static final String GUEST_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    @Inject
    ConnectionRegistry connections;
    @Inject
    RoomService rooms;
    @Inject
    DirectService directs;
    @Inject
    Settings settings;
    @Resource
    ManagedExecutorService executor;

    private final SecureRandom random = new SecureRandom();

    /**
     * Admits a new connection: checks the requested name (or makes a guest name), registers it, sends
     * {@code welcome} and joins the default room. Returns null when the connection was refused and closed.
     */
    public Peer open(Transport transport, Handshake handshake) {
        String requested = handshake.param("name");
        if (requested != null && !Names.isUser(requested)) {
            transport.close(CloseCodes.POLICY_VIOLATION, "invalid name");
            return null;
        }
        String user = requested != null ? requested : guestName();
        Peer peer = new Peer(sessionId(), user, handshake.address(), transport, settings.outboxMaxBytes(),
                settings.closeGrace(), this::closeLater);
        // welcome is queued before the peer is registered, so nothing another thread sends it can come first
        peer.send(new ServerFrame.Welcome(user, peer.id(), FrameCodec.PROTOCOL_VERSION, settings.initialRooms()));
        directs.connecting(user);
        try {
            connections.add(peer);
            for (String room : settings.initialRooms()) {
                rooms.join(peer, new ClientFrame.Join(room, null, null, null));
            }
        } finally {
            directs.connected(user);
        }
        return peer;
    }

    /** Acts on one decoded frame from the connection. */
    public void handle(Peer peer, ClientFrame frame) {
        try {
            dispatch(peer, frame);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "failed to handle a " + frame.getClass().getSimpleName() + " frame from " + peer, e);
            peer.send(new ServerFrame.Error(ErrorCode.INTERNAL, "internal error; the frame was not acted upon", frame.ref()));
        }
    }

    private void dispatch(Peer peer, ClientFrame frame) {
        if (frame instanceof ClientFrame.Post f) {
            rooms.post(peer, f);
        } else if (frame instanceof ClientFrame.Typing f) {
            rooms.typing(peer, f);
        } else if (frame instanceof ClientFrame.Join f) {
            rooms.join(peer, f);
        } else if (frame instanceof ClientFrame.Leave f) {
            rooms.leave(peer, f);
        } else if (frame instanceof ClientFrame.Direct f) {
            directs.send(peer, f);
        } else if (frame instanceof ClientFrame.HistoryQuery f) {
            rooms.history(peer, f);
        } else if (frame instanceof ClientFrame.ListRooms f) {
            rooms.list(peer, f);
        } else if (frame instanceof ClientFrame.Ping f) {
            peer.send(new ServerFrame.Pong(f.ref()));
        } else {
            throw new IllegalStateException("no handler for " + frame.getClass().getName());
        }
    }

    /** Answers a frame that could not be decoded. */
    public void reject(Peer peer, FrameRejected rejected) {
        peer.send(rejected.toFrame());
    }

    /** Forgets a closed connection: leaves its rooms (presence) and drops its queue. */
    public void closed(Peer peer) {
        peer.closed();
        rooms.leaveAll(peer);
        connections.remove(peer);
    }

    private String guestName() {
        for (int attempt = 0; ; attempt++) {
            StringBuilder name = new StringBuilder("guest-");
            int length = attempt < 10 ? 4 : 8; // widen if the short names are crowded
            for (int i = 0; i < length; i++) {
                name.append(GUEST_ALPHABET.charAt(random.nextInt(GUEST_ALPHABET.length())));
            }
            if (!connections.isOnline(name.toString())) {
                return name.toString();
            }
        }
    }

    private String sessionId() {
        byte[] bytes = new byte[12];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Closing may block (Tomcat): run it on the managed executor, or here if the executor is shutting down. */
    private void closeLater(Runnable close) {
        try {
            executor.execute(close);
        } catch (RejectedExecutionException e) {
            close.run();
        }
    }
}
