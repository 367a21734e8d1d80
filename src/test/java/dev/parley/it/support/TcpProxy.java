package dev.parley.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A TCP proxy on 127.0.0.1 between a browser and the server, which a test can break the way networks break:
 * {@link #sever()} cuts every connection (both sides see it end without a WebSocket close, as 1006),
 * {@link #refuse} makes new connections fail at once, and {@link #stall()} / {@link #holdReplies()} stop
 * bytes from flowing while the connections stay open (a dead link that only a heartbeat can notice).
 * Plain threads copy the bytes; a test makes few connections.
 */
public final class TcpProxy implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TcpProxy.class.getName());

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private volatile boolean refusing;
    private volatile boolean closed;

    private TcpProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts a proxy on a free loopback port forwarding to {@code 127.0.0.1:targetPort}. */
    public static TcpProxy to(int targetPort) {
        try {
            return new TcpProxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a proxy port", e);
        }
    }

    /** The proxy's own port on 127.0.0.1. */
    public int port() {
        return server.getLocalPort();
    }

    /** While true, new connections are accepted and closed at once (the server looks down). */
    public void refuse(boolean refuse) {
        this.refusing = refuse;
    }

    /** Cuts every open connection, both to the client and to the server, without any close handshake. */
    public void sever() {
        for (Link link : links) {
            link.cut();
        }
    }

    /** Stops bytes in both directions on the connections open now; they stay open. New ones flow normally. */
    public void stall() {
        for (Link link : links) {
            link.upstream.set(true);
            link.downstream.set(true);
        }
    }

    /**
     * Stops the server's bytes to the client on the connections open now, while the client's still reach
     * the server: what a client sends is acted upon, but it hears nothing back (no ack).
     */
    public void holdReplies() {
        for (Link link : links) {
            link.downstream.set(true);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing the proxy's port", e);
        }
        sever();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "proxy stopped accepting", e);
                }
                return;
            }
            if (refusing) {
                quietly(client);
                continue;
            }
            try {
                Socket upstream = new Socket();
                upstream.connect(target, 5_000);
                Link link = new Link(client, upstream);
                links.add(link);
                link.start();
            } catch (IOException e) {
                LOG.log(Level.INFO, "proxy could not reach " + target, e);
                quietly(client);
            }
        }
    }

    private static void quietly(Socket s) {
        try {
            s.setSoLinger(true, 0); // reset, like a dead host, rather than a polite FIN
            s.close();
        } catch (IOException ignored) {
            // closing a socket that is already broken
        }
    }

    /** One client connection and its connection to the server, with a pump each way. */
    private final class Link {
        final Socket client;
        final Socket server;
        final Gate upstream = new Gate();
        final Gate downstream = new Gate();
        final AtomicBoolean cut = new AtomicBoolean();

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void start() {
            pump(client, server, upstream, "tcp-proxy-up-" + client.getPort());
            pump(server, client, downstream, "tcp-proxy-down-" + client.getPort());
        }

        private void pump(Socket from, Socket to, Gate gate, String name) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[16 * 1024];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    for (int n = in.read(buffer); n >= 0 && !cut.get(); n = in.read(buffer)) {
                        gate.pass(cut);
                        if (cut.get()) {
                            return;
                        }
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                } catch (SocketException closed) {
                    // cut by the test or by the other side
                } catch (IOException | InterruptedException e) {
                    LOG.log(Level.FINE, "proxy pump ended", e);
                } finally {
                    cut();
                }
            }, name);
            t.setDaemon(true);
            t.start();
        }

        void cut() {
            if (cut.compareAndSet(false, true)) {
                upstream.open();
                downstream.open();
                quietly(client);
                quietly(server);
                links.remove(this);
            }
        }
    }

    /** Lets bytes through, or holds them until opened again (or the link is cut). */
    private static final class Gate {
        private boolean held;

        synchronized void set(boolean hold) {
            held = hold;
            notifyAll();
        }

        synchronized void open() {
            set(false);
        }

        synchronized void pass(AtomicBoolean cut) throws InterruptedException {
            while (held && !cut.get()) {
                wait(1_000);
            }
        }
    }
}
