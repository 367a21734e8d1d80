package dev.parley.endpoint;

import dev.parley.chat.ConnectionService;
import dev.parley.chat.FrameRouter;
import dev.parley.config.Settings;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.CloseCodes;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.FrameRejected;
import dev.parley.protocol.Text;
import dev.parley.security.ConnectionLimiter;
import dev.parley.security.OriginPolicy;
import dev.parley.session.Handshake;
import dev.parley.session.Peer;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The chat WebSocket at {@code /chat}. One instance per connection, never called by two threads at once:
 * it turns container callbacks into calls on {@link ConnectionService} (open, close) and {@link FrameRouter}
 * (frames, pongs), and holds nothing but its {@link Peer}.
 */
@ServerEndpoint(value = "/chat", subprotocols = "chat", configurator = HandshakeConfigurator.class)
public class ChatEndpoint {

    private static final Logger LOG = Logger.getLogger(ChatEndpoint.class.getName());

    @Inject
    ConnectionService connections;
    @Inject
    FrameRouter router;
    @Inject
    Settings settings;
    @Inject
    OriginPolicy origins;

    // Written by open and read by close, which the container may run on another thread while open still runs.
    private volatile Peer peer;
    private volatile boolean closed;
    private Throwable failure;

    @OnOpen
    public void open(Session session, EndpointConfig config) {
        // The runtime's own limit: on Tyrus it bounds fragmented messages only, once each fragment was read whole.
        session.setMaxTextMessageBufferSize(settings.maxFrameBytes());
        TyrusIdleTimer.turnOff(session); // Parley's Watchdog times out idle connections; Tyrus's timer costs per frame
        WebSocketTransport transport = new WebSocketTransport(session);
        Map<String, Object> props = session.getUserProperties();
        // The guard refuses an over-long or unmasked frame from its header, before the runtime reads it (see
        // HandshakeFilter); it closes through the session, which runs close() as for any other close.
        if (props.remove(HandshakeConfigurator.FRAME_GUARD) instanceof FrameGuard guard) {
            guard.closeWith(transport::close);
        }
        // HandshakeFilter answers a foreign Origin with 403 before the upgrade; this covers containers that
        // upgrade before the application's filters run.
        if (!origins.allows((String) props.get(HandshakeConfigurator.ORIGIN), (String) props.get(HandshakeConfigurator.HOST),
                (String) props.get(HandshakeConfigurator.SCHEME))) {
            transport.close(CloseCodes.FORBIDDEN, "origin not allowed");
            return;
        }
        try {
            peer = connections.open(transport, handshake(session));
            if (closed && peer != null) {
                connections.closed(peer); // the connection closed while it was being admitted: close found no peer yet
            }
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "could not admit a connection", e);
            transport.close(CloseCodes.INTERNAL_ERROR, "internal error");
        }
    }

    /** A pong (the answer to the server's heartbeat ping) shows the client is alive. */
    @OnMessage
    public void pong(PongMessage pong) {
        if (peer != null) {
            router.heard(peer);
            peer.ponged(pong.getApplicationData());
        }
    }

    /**
     * A text frame. Its size is checked here as well as by the container: WildFly (Undertow) ignores
     * {@code setMaxTextMessageBufferSize} for a whole frame and delivers it, so an oversized frame closes with
     * 1009 on every server.
     */
    @OnMessage
    public void frame(String text) {
        if (peer == null) {
            return;
        }
        if (exceeds(text, settings.maxFrameBytes())) {
            peer.close(CloseCodes.TOO_BIG, "frame larger than " + settings.maxFrameBytes() + " bytes");
            return;
        }
        ClientFrame frame;
        try {
            frame = FrameCodec.shared().decode(text);
        } catch (FrameRejected rejected) {
            router.reject(peer, rejected);
            return;
        }
        router.handle(peer, frame);
        // Before the container reads the next frame: while this connection's accepted messages wait to be written
        // out to the members that read, beyond its intake window, wait here (bounded, holding no lock), so TCP slows
        // the client down to the pace of the writes instead of the server queueing a burst it cannot write out.
        peer.awaitIntake();
    }

    /** Whether the text's UTF-8 encoding is longer than the limit, counted without encoding it. */
    static boolean exceeds(String text, int maxBytes) {
        int length = text.length();
        if (length > maxBytes) {
            return true;
        }
        if ((long) length * 3 <= maxBytes) {
            return false; // a UTF-16 unit never takes more than three bytes
        }
        return Text.utf8Length(text) > maxBytes;
    }

    @OnMessage
    public void binary(ByteBuffer data, Session session) {
        if (peer != null) {
            peer.close(CloseCodes.UNSUPPORTED_DATA, "binary frames are not supported");
        }
    }

    @OnError
    public void error(Session session, Throwable error) {
        if (error instanceof FrameRejected rejected) {
            if (peer != null) {
                router.reject(peer, rejected);
            }
            return;
        }
        // Everything else comes from the container or the network (an I/O error, a frame over the size limit,
        // invalid UTF-8); the container closes the connection itself with the right code (1006, 1009, 1007).
        // Frame handling never throws here: FrameRouter.handle answers its own failures with `internal`.
        failure = error;
        LOG.log(Level.FINE, "connection error", error);
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        int code = reason.getCloseCode().getCode();
        if (failure != null && code != CloseCodes.GOING_AWAY && code != CloseCodes.NORMAL) {
            LOG.log(Level.INFO, "connection closed with {0} after an error: {1}", new Object[]{code, failure.toString()});
        }
        closed = true;
        Peer p = peer;
        if (p != null) {
            connections.closed(p, code);
        }
    }

    @SuppressWarnings("unchecked")
    private static Handshake handshake(Session session) {
        Map<String, Object> props = session.getUserProperties();
        Object offered = props.get(HandshakeConfigurator.OFFERED_PROTOCOLS);
        Object address = props.get(HandshakeConfigurator.ADDRESS);
        return new Handshake(session.getRequestParameterMap(),
                offered instanceof List<?> list ? (List<String>) list : List.of(),
                (String) props.get(HandshakeConfigurator.ORIGIN),
                address instanceof String a ? a : ConnectionLimiter.UNKNOWN_ADDRESS);
    }
}
