package dev.parley.it.support;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bare-socket WebSocket client for storms: it connects, sends masked text frames, reads and discards
 * everything on a daemon thread (counting {@code joined} frames), and can vanish at once with a TCP reset,
 * as many clients do together in a network blip or a proxy restart. Cheap enough to run hundreds.
 */
public final class StormClient {

    private static final byte[] JOINED = "{\"type\":\"joined\"".getBytes(StandardCharsets.US_ASCII);

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final AtomicInteger joined = new AtomicInteger();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Object joinedSignal = new Object();

    private StormClient(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Connects, completes the handshake with subprotocol {@code chat}, and starts reading. */
    public static StormClient connect(URI uri) {
        try {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
            s.setSoTimeout(30_000);
            StormClient c = new StormClient(s);
            byte[] nonce = new byte[16];
            new SecureRandom().nextBytes(nonce);
            String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            c.out.write(("GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                    + "Sec-WebSocket-Protocol: chat\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            String head = c.readHead();
            if (!head.startsWith("HTTP/1.1 101")) {
                s.close();
                throw new AssertionError("upgrade refused: " + head.lines().findFirst().orElse(head));
            }
            s.setSoTimeout(0);
            Thread reader = new Thread(c::readLoop, "storm-client-" + s.getLocalPort());
            reader.setDaemon(true);
            reader.start();
            return c;
        } catch (IOException e) {
            throw new AssertionError("could not connect to " + uri + ": " + e, e);
        }
    }

    /** Sends one masked text frame; false when the socket is already gone. */
    public boolean send(String text) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[data.length + 8];
        int n = 0;
        frame[n++] = (byte) 0x81;
        if (data.length < 126) {
            frame[n++] = (byte) (0x80 | data.length);
        } else {
            frame[n++] = (byte) (0x80 | 126);
            frame[n++] = (byte) (data.length >> 8);
            frame[n++] = (byte) data.length;
        }
        byte[] mask = new byte[4];
        new SecureRandom().nextBytes(mask);
        System.arraycopy(mask, 0, frame, n, 4);
        n += 4;
        for (int i = 0; i < data.length; i++) {
            frame[n++] = (byte) (data[i] ^ mask[i % 4]);
        }
        try {
            synchronized (out) {
                out.write(frame, 0, n);
                out.flush();
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits until at least {@code count} {@code joined} frames arrived; false on timeout or when the connection ended. */
    public boolean awaitJoined(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (joinedSignal) {
            while (joined.get() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || ended.getCount() == 0) {
                    return joined.get() >= count;
                }
                TimeUnit.NANOSECONDS.timedWait(joinedSignal, left);
            }
            return true;
        }
    }

    /** Drops the connection with a TCP reset: no close frame, no FIN. */
    public void reset() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    private void readLoop() {
        try {
            while (true) {
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte();
                long len = b1 & 0x7f;
                if (len == 126) {
                    len = in.readUnsignedShort();
                } else if (len == 127) {
                    len = in.readLong();
                }
                byte[] payload = new byte[(int) len];
                in.readFully(payload);
                if ((b0 & 0x0f) == 0x8) {
                    return; // close frame
                }
                if ((b0 & 0x0f) == 0x1 && startsWith(payload, JOINED)) {
                    synchronized (joinedSignal) {
                        joined.incrementAndGet();
                        joinedSignal.notifyAll();
                    }
                }
            }
        } catch (EOFException e) {
            // closed by the server
        } catch (IOException e) {
            // reset or closed here
        } finally {
            ended.countDown();
            synchronized (joinedSignal) {
                joinedSignal.notifyAll();
            }
        }
    }

    private static boolean startsWith(byte[] payload, byte[] prefix) {
        return payload.length >= prefix.length
                && java.util.Arrays.equals(payload, 0, prefix.length, prefix, 0, prefix.length);
    }

    private String readHead() throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }
}
