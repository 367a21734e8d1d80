package dev.parley.it.support;

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
                    + "\r\n";
            c.out.write(request.getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            s.setSoTimeout(10_000);
            String head = c.readHead();
            if (!head.startsWith("HTTP/1.1 101")) {
                throw new AssertionError("upgrade refused: " + head.lines().findFirst().orElse(head));
            }
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

    private static byte[] frame(byte[] data) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x81);
        if (data.length < 126) {
            f.write(0x80 | data.length);
        } else {
            f.write(0x80 | 126);
            f.write(data.length >> 8);
            f.write(data.length & 0xff);
        }
        byte[] mask = new byte[4];
        new SecureRandom().nextBytes(mask);
        f.writeBytes(mask);
        for (int i = 0; i < data.length; i++) {
            f.write(data[i] ^ mask[i % 4]);
        }
        return f.toByteArray();
    }

    private void write(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new AssertionError("send failed: " + e, e);
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
