package dev.parley.endpoint;

import dev.parley.session.EncodedFrame;
import dev.parley.session.Transport;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/** A {@link Transport} over a Jakarta WebSocket session, sending asynchronously. */
final class WebSocketTransport implements Transport {

    private static final Logger LOG = Logger.getLogger(WebSocketTransport.class.getName());

    private final Session session;
    private final RemoteEndpoint.Async remote;
    /** Writes prepared frames where the runtime allows it; null: every frame goes through {@link #sendText}. */
    private final FrameWriter frames;

    WebSocketTransport(Session session) {
        this.session = session;
        this.remote = session.getAsyncRemote();
        this.frames = FrameWriter.of(session);
    }

    @Override
    public void send(EncodedFrame frame, Consumer<Throwable> done) {
        if (frames != null) {
            frames.write(frame.wire(), done);
        } else {
            sendText(frame.text(), done);
        }
    }

    @Override
    public void sendText(String text, Consumer<Throwable> done) {
        try {
            remote.sendText(text, result -> done.accept(result.isOK() ? null : failure(result.getException())));
        } catch (RuntimeException e) {
            // IllegalStateException once the session is closed: report it like a failed send.
            done.accept(e);
        }
    }

    @Override
    public void close(int code, String reason) {
        try {
            if (session.isOpen()) {
                session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "close of an already broken session failed", e);
        }
    }

    @Override
    public boolean ping(byte[] payload) {
        try {
            if (session.isOpen()) {
                remote.sendPing(ByteBuffer.wrap(payload));
                return true;
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "ping failed; the idle timeout will close the connection", e);
        }
        return false;
    }

    private static Throwable failure(Throwable cause) {
        return cause != null ? cause : new IOException("send failed");
    }
}
