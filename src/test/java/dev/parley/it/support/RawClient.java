package dev.parley.it.support;

import dev.parley.testing.WireFrames;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * A WebSocket client written on a plain TCP socket, for what well-behaved clients never do: it never answers
 * pings, and it can stop reading. It sees every frame as the server sent it, pings included, and the
 * socket's end (the server dropping the TCP connection).
 */
public final class RawClient implements AutoCloseable {

    /** One frame from the server: opcode and payload (for a close: the code and the reason). */
    public record Frame(int opcode, byte[] payload) {
        public static final int CONTINUATION = 0x0;
        public static final int TEXT = 0x1;
        public static final int CLOSE = 0x8;
        public static final int PING = 0x9;

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame. */
        public int closeCode() {
            return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects and completes the upgrade handshake offering {@code protocols}; fails unless the answer is 101. */
    public static RawClient connect(URI uri, String protocols) {
        return connect(uri, protocols, "");
    }

    /**
     * Connects and completes the upgrade handshake offering {@code protocols}, with {@code extraHeaders} (whole
     * header lines, each ending in CRLF) added to the request; fails unless the answer is 101.
     */
    public static RawClient connect(URI uri, String protocols, String extraHeaders) {
        RawClient c = open(uri, protocols, extraHeaders);
        String status = c.status;
        if (!status.startsWith("HTTP/1.1 101")) {
            c.close();
            throw new AssertionError("upgrade refused: " + status);
        }
        return c;
    }

    /** The status line the server answers an upgrade request with (such as {@code HTTP/1.1 400 Bad Request}). */
    public static String handshakeStatus(URI uri, String protocols, String extraHeaders) {
        try (RawClient c = open(uri, protocols, extraHeaders)) {
            return c.status;
        }
    }

    private String status = "";

    private static RawClient open(URI uri, String protocols, String extraHeaders) {
        try {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
            RawClient c = new RawClient(s);
            byte[] nonce = new byte[16];
            new SecureRandom().nextBytes(nonce);
            String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            String request = "GET " + path + " HTTP/1.1\r\n"
                    + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n"
                    + (protocols == null ? "" : "Sec-WebSocket-Protocol: " + protocols + "\r\n")
                    + extraHeaders
                    + "\r\n";
            c.out.write(request.getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            s.setSoTimeout(10_000);
            String head = c.readHead();
            c.status = head.lines().findFirst().orElse(head);
            return c;
        } catch (IOException e) {
            throw new AssertionError("could not connect to " + uri + ": " + e, e);
        }
    }

    /**
     * The next frame within {@code timeout}, or null when the server closed the TCP connection (end of
     * stream); fails when nothing happens in time.
     */
    public Frame next(Duration timeout) {
        try {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            int b0 = in.read();
            if (b0 < 0) {
                return null;
            }
            int b1 = readByte();
            long len = b1 & 0x7f;
            if (len == 126) {
                len = ((long) readByte() << 8) | readByte();
            } else if (len == 127) {
                len = 0;
                for (int i = 0; i < 8; i++) {
                    len = (len << 8) | readByte();
                }
            }
            byte[] payload = in.readNBytes((int) len);
            if (payload.length < len) {
                return null;
            }
            return new Frame(b0 & 0x0f, payload);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("nothing from the server within " + timeout);
        } catch (IOException e) {
            return null; // reset: the server dropped the connection
        }
    }

    /** Sends one masked text frame, as a client must. */
    public void sendText(String text) {
        sendTextBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends many masked text frames in one write: a flood that costs the sending side next to nothing
     * (throws an AssertionError once the server has closed the connection).
     */
    public void sendTexts(List<String> texts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (String t : texts) {
            all.writeBytes(frame(t.getBytes(StandardCharsets.UTF_8)));
        }
        write(all.toByteArray());
    }

    /** The close frame's reason. */
    public static String closeReason(Frame close) {
        return new String(close.payload(), 2, close.payload().length - 2, StandardCharsets.UTF_8);
    }

    /** Sends one masked text frame with exactly these bytes as its payload (which need not be UTF-8). */
    public void sendTextBytes(byte[] data) {
        write(frame(data));
    }

    /**
     * Sends one masked frame of any opcode, final or not, in one write; returns false when the server closed the
     * connection before all of it was written (as it may for a frame over its limit).
     */
    public boolean trySendFrame(boolean fin, int opcode, byte[] data) {
        return tryWrite(frame(fin, opcode, data, true));
    }

    /** Sends one text frame without a mask, which RFC 6455 forbids a client to do. */
    public void sendUnmaskedText(String text) {
        write(frame(true, Frame.TEXT, text.getBytes(StandardCharsets.UTF_8), false));
    }

    /**
     * Sends only the header of a masked frame that announces {@code claimedLength} payload bytes, followed by
     * {@code some} of them: the server is left waiting for the rest.
     */
    public void sendHeaderClaiming(boolean fin, int opcode, long claimedLength, int some) {
        write(WireFrames.claiming(fin, opcode, claimedLength, some, true));
    }

    /**
     * Reads frames until the server's close frame and returns its code; -1 when the connection ended without
     * one. Fails when nothing ends within {@code timeout}.
     */
    public int awaitCloseCode(Duration timeout) {
        Frame close = awaitClose(timeout);
        return close == null ? -1 : close.closeCode();
    }

    /**
     * Reads frames until the server's close frame and returns it; null when the connection ended without one.
     * Fails when nothing ends within {@code timeout}.
     */
    public Frame awaitClose(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            if (left.isNegative() || left.isZero()) {
                throw new AssertionError("no close within " + timeout);
            }
            Frame f = next(left);
            if (f == null || f.opcode() == Frame.CLOSE) {
                return f;
            }
        }
    }

    private static byte[] frame(byte[] data) {
        return frame(true, Frame.TEXT, data, true);
    }

    private static byte[] frame(boolean fin, int opcode, byte[] data, boolean masked) {
        ByteArrayOutputStream f = new ByteArrayOutputStream(data.length + 14);
        WireFrames.header(f, fin, opcode, data.length, masked);
        if (!masked) {
            f.writeBytes(data);
            return f.toByteArray();
        }
        byte[] mask = new byte[4];
        new SecureRandom().nextBytes(mask);
        f.writeBytes(mask);
        byte[] payload = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            payload[i] = (byte) (data[i] ^ mask[i % 4]);
        }
        f.writeBytes(payload);
        return f.toByteArray();
    }

    private void write(byte[] bytes) {
        if (!tryWrite(bytes)) {
            throw new AssertionError("send failed: the server closed the connection");
        }
    }

    private boolean tryWrite(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new IOException("end of stream inside a frame");
        }
        return b;
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

    /** Drops the connection with a TCP reset: no close frame, no FIN (a client that vanishes in a network blip). */
    public void reset() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test socket; nothing to do
        }
    }
}
