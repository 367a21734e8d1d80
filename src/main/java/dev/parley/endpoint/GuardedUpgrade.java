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
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Puts a {@link FrameGuard} between the socket and a WebSocket runtime that upgrades through the Servlet API
 * ({@code HttpServletRequest.upgrade}, as Tyrus does on Payara and GlassFish): the container runs this handler,
 * which hands the runtime's own handler a connection whose input passes through the guard. Only the input is
 * watched; writes go straight to the container.
 * <p>
 * When the guard finds a broken rule, the read that found it passes nothing on (frames that arrived in the same
 * read are dropped with it), and the guard's closer closes the session with the guard's code.
 * <p>
 * Whenever the server closes first (a broken rule, a rate limit, a slow consumer, shutdown), the runtime sends its
 * close frame and closes the connection at once, while the client may still be sending. Unread bytes make the
 * kernel answer with a reset, which can throw away the close frame before the client reads it, so the client
 * would see 1006 instead of the code. This handler therefore holds such a close back until the client's close
 * frame or end of stream, at most {@link #LINGER_MILLIS}, reading and throwing away what the client still sends.
 * <p>
 * It also keeps a connection that ends during the runtime's {@code init} from being forgotten: Tyrus registers its
 * read listener before it creates the connection, and an error or end of stream reported in between would reach
 * a runtime with nothing to close, so no close callback would ever run. Such a report is held until {@code init}
 * has returned, then passed on.
 */
public final class GuardedUpgrade {

    /** The longest wait for the client's close after the server closed, before the connection is cut. */
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
            GuardedConnection guarded = new GuardedConnection(connection, guard);
            try {
                runtime.init(guarded);
            } finally {
                guarded.initialised();
            }
        }

        @Override
        public void destroy() {
            runtime.destroy();
        }
    }

    /**
     * The container's connection, with its input read through the guard, its close held back until the client has
     * closed too, and end-of-stream reports held until the runtime's init returned.
     */
    private static final class GuardedConnection implements WebConnection {
        private final WebConnection connection;
        private final FrameGuard guard;
        private final AtomicBoolean closeAsked = new AtomicBoolean();
        private final AtomicBoolean closed = new AtomicBoolean();
        private GuardedInput input;
        // guarded by this: whether the runtime's init returned, and a report that came before that
        private boolean initialised;
        private Runnable heldReport;

        GuardedConnection(WebConnection connection, FrameGuard guard) {
            this.connection = connection;
            this.guard = guard;
        }

        @Override
        public synchronized ServletInputStream getInputStream() throws IOException {
            if (input == null) {
                input = new GuardedInput(connection.getInputStream(), guard, closeAsked::get, this::peerDone,
                        this::afterInit);
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
            if (guard.peerClosed()) {
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

        /** Runs an end-of-stream report now, or once the runtime's init has returned. */
        private void afterInit(Runnable report) {
            synchronized (this) {
                if (!initialised) {
                    if (heldReport == null) {
                        heldReport = report;
                    }
                    return;
                }
            }
            report.run();
        }

        /** The runtime's init returned: passes on a report that came during it. */
        void initialised() {
            Runnable report;
            synchronized (this) {
                initialised = true;
                report = heldReport;
                heldReport = null;
            }
            if (report != null) {
                report.run();
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
        private final BooleanSupplier closing;
        private final Runnable peerDone;
        private final Consumer<Runnable> afterInit;
        private byte[] scratch;

        GuardedInput(ServletInputStream in, FrameGuard guard, BooleanSupplier closing, Runnable peerDone,
                     Consumer<Runnable> afterInit) {
            this.in = in;
            this.guard = guard;
            this.closing = closing;
            this.peerDone = peerDone;
            this.afterInit = afterInit;
        }

        /** Once a rule is broken or the server closed, what the client sends is only watched for its close. */
        private boolean discarding() {
            return guard.violation() != null || closing.getAsBoolean();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (discarding()) {
                return discard();
            }
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                ended();
                throw e;
            }
            if (n < 0) {
                ended();
                return n;
            }
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

        /** The client's stream ended or failed: nothing more will come. */
        private void ended() {
            guard.endOfStream();
            peerDone.run();
        }

        @Override
        public int available() throws IOException {
            try {
                return in.available();
            } catch (IOException | RuntimeException e) {
                if (discarding()) {
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
                return (!discarding() || !guard.peerClosed()) && in.isReady();
            } catch (RuntimeException e) {
                if (discarding()) {
                    return false;
                }
                throw e;
            }
        }

        /** Passes the runtime's listener on, noting the end of the stream, and holding its report until init returned. */
        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(new ReadListener() {
                @Override
                public void onDataAvailable() throws IOException {
                    listener.onDataAvailable();
                }

                @Override
                public void onAllDataRead() {
                    ended();
                    afterInit.accept(() -> {
                        try {
                            listener.onAllDataRead();
                        } catch (IOException e) {
                            listener.onError(e);
                        }
                    });
                }

                @Override
                public void onError(Throwable t) {
                    ended();
                    afterInit.accept(() -> listener.onError(t));
                }
            });
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
