package dev.parley.endpoint;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Puts a {@link FrameGuard} between the socket and a WebSocket runtime that upgrades through the Servlet API
 * ({@code HttpServletRequest.upgrade}, as Tyrus does on Payara and GlassFish): the container runs this handler,
 * which hands the runtime's own handler a connection whose input passes through the guard. Only the input is
 * watched; writes go straight to the container.
 * <p>
 * When the guard finds a broken rule, the read that found it passes nothing on (frames that arrived in the same
 * read are dropped with it), the guard's closer closes the session with the guard's code, and what the client
 * still sends is read and thrown away. The runtime then closes the connection at once; this handler holds that
 * close back until the client's close frame or end of stream, at most {@link #LINGER_MILLIS}, so the client
 * reads the close frame instead of a reset caused by its own unread bytes.
 */
public final class GuardedUpgrade {

    /** The longest wait for the client's close after a broken rule, before the connection is cut. */
    static final long LINGER_MILLIS = 2_000;

    private static final Logger LOG = Logger.getLogger(GuardedUpgrade.class.getName());

    private GuardedUpgrade() {
    }

    /**
     * The upgrade handler the container runs: it passes every call on to the runtime's handler, with the
     * connection guarded. Public with a no-argument constructor because the container creates it.
     */
    public static final class Handler implements HttpUpgradeHandler {
        private HttpUpgradeHandler runtime;
        private FrameGuard guard;

        /** Called by the container only. */
        public Handler() {
        }

        /** Sets the runtime's handler and the guard; called once, right after the container created this. */
        void wrap(HttpUpgradeHandler runtimeHandler, FrameGuard frameGuard) {
            this.runtime = runtimeHandler;
            this.guard = frameGuard;
        }

        @Override
        public void init(WebConnection connection) {
            runtime.init(new GuardedConnection(connection, guard));
        }

        @Override
        public void destroy() {
            runtime.destroy();
        }
    }

    /** The container's connection, with its input read through the guard and its close held back after a violation. */
    private static final class GuardedConnection implements WebConnection {
        private final WebConnection connection;
        private final FrameGuard guard;
        private final AtomicBoolean closeAsked = new AtomicBoolean();
        private final AtomicBoolean closed = new AtomicBoolean();
        private GuardedInput input;

        GuardedConnection(WebConnection connection, FrameGuard guard) {
            this.connection = connection;
            this.guard = guard;
        }

        @Override
        public synchronized ServletInputStream getInputStream() throws IOException {
            if (input == null) {
                input = new GuardedInput(connection.getInputStream(), guard, this::peerDone);
            }
            return input;
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            return connection.getOutputStream();
        }

        @Override
        public void close() {
            closeAsked.set(true);
            if (guard.violation() == null || guard.peerClosed()) {
                reallyClose();
            } else {
                CompletableFuture.delayedExecutor(LINGER_MILLIS, TimeUnit.MILLISECONDS).execute(this::reallyClose);
            }
        }

        /** The client sent its close frame or ended its stream: a close held back can go now. */
        private void peerDone() {
            if (closeAsked.get()) {
                reallyClose();
            }
        }

        private void reallyClose() {
            if (closed.compareAndSet(false, true)) {
                try {
                    connection.close();
                } catch (Exception e) {
                    LOG.log(Level.FINE, "closing an upgraded connection failed", e);
                }
            }
        }
    }

    /** The container's input stream, read through the guard. */
    private static final class GuardedInput extends ServletInputStream {
        private final ServletInputStream in;
        private final FrameGuard guard;
        private final Runnable peerDone;
        private byte[] scratch;

        GuardedInput(ServletInputStream in, FrameGuard guard, Runnable peerDone) {
            this.in = in;
            this.guard = guard;
            this.peerDone = peerDone;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (guard.violation() != null) {
                return discard();
            }
            int n = in.read(b, off, len);
            if (n > 0 && guard.scan(b, off, n) != null) {
                guard.fire();
                return discard();
            }
            return n;
        }

        /** Single bytes are never read by the runtime; this reads through the guard all the same. */
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n == 1 ? one[0] & 0xff : -1;
        }

        /** Reads and throws away whatever is readable now, watching for the client's close; returns 0 (nothing read). */
        private int discard() {
            if (scratch == null) {
                scratch = new byte[16 * 1024];
            }
            try {
                while (!guard.peerClosed() && in.isReady()) {
                    int n = in.read(scratch, 0, scratch.length);
                    if (n < 0) {
                        guard.endOfStream();
                    } else if (n > 0) {
                        guard.scan(scratch, 0, n);
                    } else {
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                guard.endOfStream(); // the connection is gone
            }
            if (guard.peerClosed()) {
                peerDone.run();
            }
            return 0;
        }

        @Override
        public int available() throws IOException {
            try {
                return in.available();
            } catch (IOException | RuntimeException e) {
                if (guard.violation() != null) {
                    return 0;
                }
                throw e;
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            try {
                return (guard.violation() == null || !guard.peerClosed()) && in.isReady();
            } catch (RuntimeException e) {
                if (guard.violation() != null) {
                    return false;
                }
                throw e;
            }
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
