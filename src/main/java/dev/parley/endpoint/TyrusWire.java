package dev.parley.endpoint;

import jakarta.websocket.Session;
import org.glassfish.tyrus.spi.CompletionHandler;
import org.glassfish.tyrus.spi.Writer;
import org.glassfish.tyrus.spi.WriterInfo;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes prepared frames to a Tyrus session's writer, as Tyrus's own {@code sendRawFrame} does, but with a
 * completion callback (which that method lacks) so that the outbox still sends one frame at a time and learns of
 * failures. In the fan-out profile ({@code bench/profiles/fanout-quiet-1820.html}) Tyrus's per-recipient framing
 * (UTF-8 encoding of the text into a new frame, then a copy) was about 13 % of the server's time.
 * <p>
 * It reaches into Tyrus 2.1's session internals by reflection: the async remote's web socket, its protocol
 * handler, that handler's lock (held by Tyrus for every frame it sends, so frames and pings or closes never
 * interleave) and its writer. Where any of them is missing, {@link #ready} is false and nothing changes.
 * Only loaded when the application can see Tyrus's SPI (see {@link FrameWriter.Support}).
 */
final class TyrusWire implements FrameWriter {

    private static final Logger LOG = Logger.getLogger(TyrusWire.class.getName());
    private static final WriterInfo TEXT = new WriterInfo(WriterInfo.MessageType.TEXT, WriterInfo.RemoteEndpointType.ASYNC);
    private static final AtomicBoolean ANNOUNCED = new AtomicBoolean();
    /** The handles for each async remote class: Tyrus's, or null for any other. */
    private static final ClassValue<Access> ACCESS = new ClassValue<>() {
        @Override
        protected Access computeValue(Class<?> remoteClass) {
            return Access.find(remoteClass);
        }
    };

    private final Access access;
    private final Object webSocket;
    private final Object protocolHandler;
    private final Lock lock;
    /** The connection's writer, read once it is there (Tyrus sets it when the connection opens, and keeps it). */
    private volatile Writer writer;

    private TyrusWire(Access access, Object webSocket, Object protocolHandler, Lock lock) {
        this.access = access;
        this.webSocket = webSocket;
        this.protocolHandler = protocolHandler;
        this.lock = lock;
    }

    /** The writer for a Tyrus session, or null for any other session or when its internals are not as expected. */
    static FrameWriter of(Session session) {
        try {
            Object remote = session.getAsyncRemote();
            Access access = remote == null ? null : ACCESS.get(remote.getClass());
            if (access == null) {
                return null;
            }
            Object webSocket = access.webSocket.get(remote);
            Object handler = webSocket == null ? null : access.protocolHandler.get(webSocket);
            if (handler == null) {
                return null;
            }
            if (!ANNOUNCED.getAndSet(true)) {
                LOG.info("frames are framed once per broadcast and written to Tyrus's writer");
            }
            return new TyrusWire(access, webSocket, handler, (Lock) access.lock.get(handler));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "Tyrus session internals not as expected; sending text frames", e);
            return null;
        }
    }

    @Override
    public void write(ByteBuffer frame, Consumer<Throwable> done) {
        Writer writer = this.writer;
        try {
            if (!(Boolean) access.isConnected.invoke(webSocket)) {
                done.accept(new IllegalStateException("the connection is closed"));
                return;
            }
            if (writer == null) {
                writer = (Writer) access.writer.get(protocolHandler);
                this.writer = writer;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            done.accept(e);
            return;
        }
        if (writer == null) {
            done.accept(new IllegalStateException("the connection has no writer"));
            return;
        }
        Completion completion = new Completion(done);
        lock.lock();
        try {
            writer.write(frame, completion, TEXT);
        } catch (RuntimeException e) {
            completion.failed(e);
        } finally {
            lock.unlock();
        }
    }

    /** Reports the end of one write exactly once. */
    private static final class Completion extends CompletionHandler<ByteBuffer> {
        private final Consumer<Throwable> done;
        private boolean reported; // a writer calls one of these once, on one thread; the flag guards misbehaviour

        Completion(Consumer<Throwable> done) {
            this.done = done;
        }

        @Override
        public void completed(ByteBuffer result) {
            report(null);
        }

        @Override
        public void failed(Throwable cause) {
            report(cause != null ? cause : new java.io.IOException("send failed"));
        }

        @Override
        public void cancelled() {
            report(new java.util.concurrent.CancellationException("send cancelled"));
        }

        private synchronized boolean first() {
            boolean first = !reported;
            reported = true;
            return first;
        }

        private void report(Throwable failure) {
            if (first()) {
                done.accept(failure);
            }
        }
    }

    /** The reflective handles into Tyrus's classes, found once per async remote class. */
    private record Access(Field webSocket, Field protocolHandler, Field lock, Field writer, Method isConnected) {

        /** Null unless {@code remoteClass} is Tyrus's async remote endpoint with the expected fields. */
        static Access find(Class<?> remoteClass) {
            Class<?> remote = remoteClass;
            while (remote != null && !"org.glassfish.tyrus.core.TyrusRemoteEndpoint".equals(remote.getName())) {
                remote = remote.getSuperclass();
            }
            if (remote == null) {
                return null;
            }
            try {
                Field webSocket = accessible(remote.getDeclaredField("webSocket"));
                Field protocolHandler = accessible(webSocket.getType().getDeclaredField("protocolHandler"));
                Class<?> handler = protocolHandler.getType();
                Field writer = accessible(handler.getDeclaredField("writer"));
                Field lock = accessible(handler.getDeclaredField("lock"));
                if (writer.getType() != Writer.class || !Lock.class.isAssignableFrom(lock.getType())) {
                    return null; // another Writer class than the one this application sees
                }
                return new Access(webSocket, protocolHandler, lock, writer, webSocket.getType().getMethod("isConnected"));
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                LOG.log(Level.INFO, "Tyrus's internals are not as expected: each frame is framed per connection (" + e + ")");
                return null;
            }
        }

        private static Field accessible(Field f) {
            f.setAccessible(true);
            return f;
        }
    }
}
