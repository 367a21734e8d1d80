package dev.parley.chat;

import dev.parley.cluster.Cluster;
import dev.parley.cluster.UserDirectory;
import dev.parley.config.EventSettings;
import dev.parley.config.Settings;
import dev.parley.metrics.Meters;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.CloseCodes;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.ServerFrame;
import dev.parley.security.AccessPolicy;
import dev.parley.security.Authenticator;
import dev.parley.security.ConnectionLimiter;
import dev.parley.security.HandshakeRefused;
import dev.parley.security.SecuritySettings;
import dev.parley.security.TokenRejected;
import dev.parley.session.ConnectionGuard;
import dev.parley.session.ConnectionRegistry;
import dev.parley.session.Handshake;
import dev.parley.session.Identity;
import dev.parley.session.OutboundWriters;
import dev.parley.session.IntakeWindow;
import dev.parley.session.Outbox;
import dev.parley.session.Peer;
import dev.parley.session.Transport;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Logger;

/**
 * A connection's admission, identity and release: open (authentication, connection limits, welcome, default
 * room), token refresh, and close. Each connection is one {@link Peer}, registered once here and released
 * once, whichever way it ends (the container's close, the watchdog, a failed admission). The endpoint calls
 * in on the connection's thread; frames go to the {@link FrameRouter}.
 */
@ApplicationScoped
public class ConnectionService {

    private static final Logger LOG = Logger.getLogger(ConnectionService.class.getName());
    private static final String GUEST_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    /** The query parameter in which a client asks for optional features. */
    static final String FEATURES_PARAM = "features";

    @Inject
    ConnectionRegistry connections;
    @Inject
    RoomService rooms;
    @Inject
    DirectService directs;
    @Inject
    ConversationService conversations;
    @Inject
    Settings settings;
    @Inject
    SecuritySettings security;
    @Inject
    EventSettings events;
    @Inject
    Authenticator authenticator;
    @Inject
    ConnectionLimiter limiter;
    @Inject
    OutboundWriters writers;
    @Inject
    Meters meters;
    @Inject
    Drain drain;
    @Inject
    Cluster cluster = Cluster.single();
    @Inject
    UserDirectory directory;
    @Resource
    ManagedExecutorService executor;

    /**
     * Makes each connection's intake window (see {@link IntakeWindow}), whose waits share
     * {@code parley.intake.waiters} permits with the API's: the container's threads that wait are threads its reads
     * and writes also run on (Payara's http-thread-pool has 200), so never more than that many wait, and the writes
     * they wait for always find a thread.
     */
    @Inject
    IntakePacing pacing;

    private final SecureRandom random = new SecureRandom();

    /**
     * Admits a new connection: authenticates it (token or requested name, else a guest name), applies the
     * connection limits, registers it, sends {@code welcome}, joins the default room, and (after the held direct
     * messages) sends the user's {@code conversations}. Returns null when
     * the connection was refused and closed (4401 bad token, 1008 bad name, 4429 too many connections, 1001 while
     * the server is stopping).
     */
    public Peer open(Transport transport, Handshake handshake) {
        if (drain.isDraining()) {
            transport.close(CloseCodes.GOING_AWAY, Drain.REASON);
            return null;
        }
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
        String clusterLimit = overClusterLimit(user);
        String overLimit = clusterLimit != null ? clusterLimit : limiter.tryOpen(user, address);
        if (overLimit != null) {
            LOG.info(() -> "refused a connection of " + user + " from " + address + ": " + overLimit);
            transport.close(CloseCodes.TOO_MANY, overLimit);
            return null;
        }
        // From here on the peer owns the limiter's count: release() gives it back, once.
        Peer peer = new Peer(sessionId(), identity, address, new ConnectionGuard(
                security.rates().withAppSignals(events.signalsPerSecond(), events.signalBurst()), System::nanoTime),
                transport, new Outbox.Bounds(settings.outboxMaxBytes(), settings.outboxHardMaxBytes(), settings.outboxMaxLag().toNanos()),
                pacing.connectionWindow(),
                settings.closeGrace(), writers, this::closeLater, this::released,
                error -> meters.count(Meters.Tagged.REFUSED_FRAMES, error.code().wire()));
        List<String> features = features(handshake);
        peer.presenceDiffs(features.contains(FrameCodec.FEATURE_PRESENCE_DIFF));
        try {
            // welcome is queued before the peer is registered, so nothing another thread sends it can come first
            peer.send(new ServerFrame.Welcome(user, peer.id(), FrameCodec.PROTOCOL_VERSION, settings.initialRooms(), features));
            directs.connecting(user);
            try {
                connections.add(peer);
                if (cluster.active()) {
                    directory.added(peer);
                }
                for (String room : settings.initialRooms()) {
                    rooms.join(peer, new ClientFrame.Join(room, null, null, null));
                }
            } finally {
                directs.connected(user);
            }
            conversations.connected(peer);
        } catch (RuntimeException e) {
            peer.release();
            throw e;
        }
        if (peer.isClosed()) {
            // Closed while it was being admitted (a reset right after the upgrade, a failed first send): its release
            // may have run before it was registered or in its rooms, so undo what admission did since (both are
            // idempotent; the limiter's count is given back once, by the release).
            rooms.leaveAll(peer);
            connections.remove(peer);
            peer.release();
        }
        return peer;
    }

    /**
     * Takes a fresh token for the same user: the connection then lives until the new expiry, with the new
     * grants; private rooms the new token no longer allows are left (the client gets {@code left}).
     */
    public void refresh(Peer peer, ClientFrame.Auth auth) {
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
        peer.identity(fresh);
        for (String room : peer.roomList()) {
            if (!AccessPolicy.mayEnter(fresh, room)) {
                rooms.leave(peer, new ClientFrame.Leave(room, null));
            }
        }
        peer.send(new ServerFrame.Authenticated(fresh.user(), fresh.expires(), auth.ref()));
    }

    /** The connection closed (the container says so): releases it. Idempotent. */
    public void closed(Peer peer) {
        peer.release();
    }

    /**
     * The connection closed with {@code code} (the container says so, once per connection): counts it, logs one
     * line (user, code, how long it was open, frames in and out; never a text or token) and releases it.
     */
    public void closed(Peer peer, int code) {
        LOG.info(() -> "connection " + peer.id() + " of " + peer.user() + " closed with " + code + " after "
                + peer.openFor().toMillis() + " ms, frames in " + peer.framesIn() + ", out " + peer.framesOut());
        meters.count(Meters.Tagged.CLOSES, String.valueOf(code));
        if (code == CloseCodes.SLOW_CONSUMER) {
            meters.count(Meters.Count.SLOW_CONSUMER_CLOSES);
        }
        closed(peer);
    }

    /** What {@link Peer#release} runs, once per connection: leaves its rooms (presence), unregisters it, frees its counts. */
    private void released(Peer peer) {
        try {
            rooms.leaveAll(peer);
        } finally {
            connections.remove(peer);
            if (cluster.active()) {
                directory.removed(peer);
            }
            limiter.closed(peer.user(), peer.address());
        }
    }

    /** In a cluster, the user's connections on every node count against the per-user limit; null when within it. */
    private String overClusterLimit(String user) {
        int max = security.connectionsPerUser();
        if (!cluster.active() || max <= 0) {
            return null;
        }
        return directory.connections(user) >= max ? "too many connections for this user" : null;
    }

    /**
     * The optional features the client asked for with the query {@code features} (comma-separated, repeatable) that
     * this server has: only {@code presence-diff}. Unknown ones are ignored, so clients may ask newer servers for more.
     */
    static List<String> features(Handshake handshake) {
        List<String> asked = handshake.query().getOrDefault(FEATURES_PARAM, List.of());
        for (String value : asked) {
            for (String feature : value.split(",")) {
                if (feature.trim().equals(FrameCodec.FEATURE_PRESENCE_DIFF)) {
                    return List.of(FrameCodec.FEATURE_PRESENCE_DIFF);
                }
            }
        }
        return List.of();
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
