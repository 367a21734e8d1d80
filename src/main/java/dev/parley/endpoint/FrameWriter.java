package dev.parley.endpoint;

import jakarta.websocket.Session;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes a prepared WebSocket frame ({@link dev.parley.session.EncodedFrame#wire()}) to one connection's socket,
 * where the runtime allows it: a broadcast's frame is then built once, not once per recipient. Only on Tyrus
 * (Payara, GlassFish) and only when the application can see Tyrus's writer interface ({@link TyrusWire});
 * everywhere else {@link #of} gives null and frames are sent as text through the standard API.
 */
interface FrameWriter {

    /** Starts writing {@code frame}; {@code done} is called once, with null or the failure. Never throws. */
    void write(ByteBuffer frame, Consumer<Throwable> done);

    /** The frame writer for this session, or null where frames must go through the standard API. */
    static FrameWriter of(Session session) {
        return Support.AVAILABLE && session.getNegotiatedExtensions().isEmpty() ? TyrusWire.of(session) : null;
    }

    /** Whether the runtime's Tyrus writer interface is the one this application was compiled against. */
    final class Support {
        private static final Logger LOG = Logger.getLogger(FrameWriter.class.getName());
        private static final String SPI = "org.glassfish.tyrus.spi.Writer";
        static final boolean AVAILABLE = available();

        private Support() {
        }

        private static boolean available() {
            try {
                Class.forName(SPI, false, Support.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException | LinkageError e) {
                LOG.log(Level.FINE, "no Tyrus writer: frames are framed per connection by the runtime", e);
                return false;
            }
        }
    }
}
