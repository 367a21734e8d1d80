package dev.parley.endpoint;

import dev.parley.session.EncodedFrame;
import dev.parley.session.Transport;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/** A {@link Transport} over a Jakarta WebSocket session, sending asynchronously. */
final class WebSocketTransport implements Transport {

    private static final Logger LOG = Logger.getLogger(WebSocketTransport.class.getName());
    private static final int BATCH_BYTES = 64 * 1024;

    private final Session session;
    private final RemoteEndpoint.Async remote;
    /** Writes prepared frames where the runtime allows it; null: every frame goes through {@link #sendText}. */
    private final FrameWriter frames;

    WebSocketTransport(Session session) {
        this.session = session;
        this.remote = session.getAsyncRemote();
        this.frames = FrameWriter.of(session);
    }

    /** Frames written at once when the runtime takes prepared frames: up to 64 KiB, as a socket write takes it. */
    @Override
    public int batchBytes() {
        return frames != null ? BATCH_BYTES : 0;
    }

    @Override
    public void send(List<EncodedFrame> batch, Consumer<Throwable> done) {
        int length = 0;
        ByteBuffer[] wires = new ByteBuffer[batch.size()];
        for (int i = 0; i < wires.length; i++) {
            wires[i] = batch.get(i).wire();
            length += wires[i].remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(length);
        for (ByteBuffer w : wires) {
            all.put(w);
        }
        frames.write(all.flip(), done);
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
