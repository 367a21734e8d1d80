package dev.parley.chat;

import dev.parley.config.Settings;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.CloseCodes;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.FrameRejected;
import dev.parley.protocol.ServerFrame;
import dev.parley.security.AccessPolicy;
import dev.parley.security.Authenticator;
import dev.parley.security.ConnectionGuard;
import dev.parley.security.ConnectionGuards;
import dev.parley.security.ConnectionLimiter;
import dev.parley.security.HandshakeRefused;
import dev.parley.security.Identity;
import dev.parley.security.RoomTrail;
import dev.parley.security.SecuritySettings;
import dev.parley.security.TokenRejected;
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
 * A connection's life as the protocol sees it: open (authentication, connection limits, welcome, default
 * room), each decoded frame (rate limit, access rules, then the room or direct service), each refused frame,
 * and close. The endpoint calls in on the connection's thread and knows nothing else; a failure while
 * handling one frame is answered with {@code internal} and never closes the connection.
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
    @Inject
    SecuritySettings security;
    @Inject
    Authenticator authenticator;
    @Inject
    ConnectionLimiter limiter;
    @Inject
    ConnectionGuards guards;
    @Inject
    AccessPolicy access;
    @Inject
    RoomTrail trail;
    @Resource
    ManagedExecutorService executor;

    private final SecureRandom random = new SecureRandom();

    /**
     * Admits a new connection: authenticates it (token or requested name, else a guest name), applies the
     * connection limits, registers it, sends {@code welcome} and joins the default room. Returns null when
     * the connection was refused and closed (4401 bad token, 1008 bad name, 4429 too many connections).
     */
    public Peer open(Transport transport, Handshake handshake) {
        Identity identity;
        try {
            identity = authenticator.authenticate(handshake);
        } catch (HandshakeRefused refused) {
            transport.close(refused.code(), refused.getMessage());
            return null;
        }
        if (identity.user() == null) {
            identity = identity.named(guestName());
        }
        String user = identity.user();
        String address = handshake.address();
        String overLimit = limiter.tryOpen(user, address);
        if (overLimit != null) {
            LOG.info(() -> "refused a connection of " + user + " from " + address + ": " + overLimit);
            transport.close(CloseCodes.TOO_MANY, overLimit);
            return null;
        }
        Peer peer = new Peer(sessionId(), user, address, transport, settings.outboxMaxBytes(),
                settings.closeGrace(), this::closeLater);
        guards.attach(new ConnectionGuard(peer, identity, address, security,
                () -> closeLater(transport::ping), () -> closed(peer), System::nanoTime));
        // welcome is queued before the peer is registered, so nothing another thread sends it can come first
        peer.send(new ServerFrame.Welcome(user, peer.id(), FrameCodec.PROTOCOL_VERSION, settings.initialRooms()));
        directs.connecting(user);
        try {
            connections.add(peer);
            for (String room : settings.initialRooms()) {
                join(peer, identity, new ClientFrame.Join(room, null, null, null));
            }
        } finally {
            directs.connected(user);
        }
        return peer;
    }

    /**
     * Acts on one decoded frame from the connection: counts it against the connection's rate (over it:
     * {@code rate_limited}, and 4429 when it keeps on), then applies the access rules and hands it on.
     */
    public void handle(Peer peer, ClientFrame frame) {
        ConnectionGuard guard = guards.of(peer);
        if (guard == null || !admitted(peer, guard, frame, frame.ref())) {
            return;
        }
        try {
            dispatch(peer, guard, frame);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "failed to handle a " + frame.getClass().getSimpleName() + " frame from " + peer, e);
            peer.send(new ServerFrame.Error(ErrorCode.INTERNAL, "internal error; the frame was not acted upon", frame.ref()));
        }
    }

    private boolean admitted(Peer peer, ConnectionGuard guard, ClientFrame frame, String ref) {
        if (peer.isClosed()) {
            return false; // closing (rate limit, slow consumer): frames still in flight get no answer
        }
        ConnectionGuard.Verdict verdict = guard.admit(frame);
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

    private void dispatch(Peer peer, ConnectionGuard guard, ClientFrame frame) {
        if (frame instanceof ClientFrame.Post f) {
            rooms.post(peer, f);
        } else if (frame instanceof ClientFrame.Typing f) {
            rooms.typing(peer, f);
        } else if (frame instanceof ClientFrame.Join f) {
            join(peer, guard.identity(), f);
        } else if (frame instanceof ClientFrame.Leave f) {
            trail.record(peer.user(), f.room());
            rooms.leave(peer, f);
        } else if (frame instanceof ClientFrame.Direct f) {
            direct(peer, f);
        } else if (frame instanceof ClientFrame.HistoryQuery f) {
            rooms.history(peer, f);
        } else if (frame instanceof ClientFrame.ListRooms f) {
            Identity identity = guard.identity();
            rooms.list(peer, f, room -> AccessPolicy.mayEnter(identity, room));
        } else if (frame instanceof ClientFrame.Ping f) {
            peer.send(new ServerFrame.Pong(f.ref()));
        } else if (frame instanceof ClientFrame.Auth f) {
            refresh(peer, guard, f);
        } else {
            throw new IllegalStateException("no handler for " + frame.getClass().getName());
        }
    }

    /** Joins after the access rule (private rooms), the rooms-per-connection and the members-per-room limits. */
    private void join(Peer peer, Identity identity, ClientFrame.Join join) {
        String room = join.room();
        if (!AccessPolicy.mayEnter(identity, room)) {
            peer.send(new ServerFrame.Error(ErrorCode.FORBIDDEN, "you may not join room " + room, join.ref()));
            return;
        }
        int maxRooms = security.roomsPerConnection();
        if (maxRooms > 0 && !peer.rooms().contains(room) && peer.rooms().size() >= maxRooms) {
            peer.send(new ServerFrame.Error(ErrorCode.INVALID,
                    "a connection may be in at most " + maxRooms + " rooms; leave one first", join.ref()));
            return;
        }
        if (rooms.join(peer, join, security.membersPerRoom())) {
            trail.record(peer.user(), room);
        } else {
            peer.send(new ServerFrame.Error(ErrorCode.ROOM_FULL, "room " + room + " is full", join.ref()));
        }
    }

    /** A direct message goes only to users the sender may write to (the configured rule). */
    private void direct(Peer peer, ClientFrame.Direct direct) {
        if (!access.mayWrite(peer, direct.to())) {
            peer.send(new ServerFrame.Error(ErrorCode.FORBIDDEN,
                    "you can only write to users who share a room with you", direct.ref()));
            return;
        }
        directs.send(peer, direct);
    }

    /**
     * Takes a fresh token for the same user: the connection then lives until the new expiry, with the new
     * grants; private rooms the new token no longer allows are left (the client gets {@code left}).
     */
    private void refresh(Peer peer, ConnectionGuard guard, ClientFrame.Auth auth) {
        if (!authenticator.tokenMode()) {
            peer.send(new ServerFrame.Error(ErrorCode.INVALID, "this server does not use tokens", auth.ref()));
            return;
        }
        Identity fresh;
        try {
            fresh = authenticator.refresh(auth.token());
        } catch (TokenRejected e) {
            peer.send(new ServerFrame.Error(ErrorCode.UNAUTHORIZED, e.getMessage(), auth.ref()));
            return;
        }
        if (!fresh.user().equals(peer.user())) {
            peer.send(new ServerFrame.Error(ErrorCode.UNAUTHORIZED, "the token is for another user", auth.ref()));
            return;
        }
        guard.identity(fresh);
        for (String room : peer.roomList()) {
            if (!AccessPolicy.mayEnter(fresh, room)) {
                rooms.leave(peer, new ClientFrame.Leave(room, null));
            }
        }
        peer.send(new ServerFrame.Authenticated(fresh.user(), fresh.expires(), auth.ref()));
    }

    /** Answers a frame that could not be decoded (it counts against the rate like any chat frame). */
    public void reject(Peer peer, FrameRejected rejected) {
        ConnectionGuard guard = guards.of(peer);
        if (guard == null || !admitted(peer, guard, null, rejected.ref())) {
            return;
        }
        peer.send(rejected.toFrame());
    }

    /** Records that the client answered a heartbeat ping. */
    public void heard(Peer peer) {
        ConnectionGuard guard = guards.of(peer);
        if (guard != null) {
            guard.heard();
        }
    }

    /**
     * Forgets a closed connection: leaves its rooms (presence), drops its queue and releases its connection
     * counts. Idempotent: the container's close and the watchdog's grace period may both call it.
     */
    public void closed(Peer peer) {
        peer.closed();
        peer.roomList().forEach(room -> trail.record(peer.user(), room));
        rooms.leaveAll(peer);
        connections.remove(peer);
        ConnectionGuard guard = guards.detach(peer);
        if (guard != null) {
            limiter.closed(peer.user(), guard.address());
        }
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
