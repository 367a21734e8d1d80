package dev.parley.it.support;

import dev.parley.testing.Tokens;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;

import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A WebSocket client for tests, on the JDK's own {@code java.net.http.WebSocket} (not Parley's code).
 * Every frame received is queued in order; tests take them with a timeout, never by sleeping.
 * Reading can be paused, which stops the client from pulling data off the socket (TCP backpressure),
 * to play a slow consumer.
 */
public final class TestClient implements AutoCloseable {

    /** Default wait for a frame. */
    public static final Duration WAIT = Duration.ofSeconds(10);

    /** How long the tokens of {@link #withToken} are valid. */
    public static final Duration TOKEN_TTL = Duration.ofMinutes(10);

    /** Something the client saw: a text frame, a binary frame, the close, or an error. */
    public sealed interface Event {
    }

    /** A text frame. */
    public record Text(String text) implements Event {
        public JsonObject json() {
            try (JsonReader r = Json.createReader(new StringReader(text))) {
                return r.readObject();
            }
        }
    }

    /** The server's close frame. */
    public record Closed(int code, String reason) implements Event {
    }

    /** A transport error (connection reset and the like). */
    public record Failed(Throwable error) implements Event {
    }

    private final BlockingDeque<Event> events = new LinkedBlockingDeque<>();
    /** The {@code conversations} frames the server sends by itself (on connect), kept apart from the other frames. */
    private final BlockingDeque<JsonObject> pushedConversations = new LinkedBlockingDeque<>();
    private volatile Predicate<JsonObject> ignored = f -> false;
    private final AtomicBoolean reading = new AtomicBoolean(true);
    private final AtomicBoolean owed = new AtomicBoolean();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final WebSocket socket;
    private final String subprotocol;
    private volatile JsonObject welcome;

    private TestClient(WebSocket socket) {
        this.socket = socket;
        this.subprotocol = socket.getSubprotocol();
    }

    /** Opens a connection to {@code uri}, offering the given subprotocols (none if empty). */
    public static TestClient connect(URI uri, String... subprotocols) {
        return connectFrom(null, uri, subprotocols);
    }

    /** Opens a connection sending an Origin header (null for none). */
    public static TestClient connectFrom(String origin, URI uri, String... subprotocols) {
        return connectThrough(HttpClient.newHttpClient(), origin, uri, subprotocols);
    }

    /**
     * Opens a connection with the given JDK client (e.g. one whose {@code SSLContext} trusts a test CA, for
     * {@code wss://}), sending an Origin header (null for none).
     */
    public static TestClient connectThrough(HttpClient http, String origin, URI uri, String... subprotocols) {
        Listener listener = new Listener();
        WebSocket.Builder builder = builder(http, origin, subprotocols);
        try {
            WebSocket ws = builder.buildAsync(uri, listener).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return listener.bind(ws);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while connecting to " + uri, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("could not connect to " + uri + ": " + e, e);
        }
    }

    /**
     * Tries to open a connection sending an Origin header and returns the HTTP status of the refused
     * handshake (403 for a forbidden origin); fails if the connection opens.
     */
    public static int refusedHandshakeStatus(String origin, URI uri, String... subprotocols) {
        Listener listener = new Listener();
        WebSocket.Builder builder = builder(HttpClient.newHttpClient(), origin, subprotocols);
        try {
            WebSocket ws = builder.buildAsync(uri, listener).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            ws.abort();
            throw new AssertionError("the handshake from origin " + origin + " was accepted");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof java.net.http.WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw new AssertionError("handshake failed without an HTTP answer: " + e, e);
        } catch (TimeoutException e) {
            throw new AssertionError("no answer to the handshake within " + WAIT, e);
        }
    }

    private static WebSocket.Builder builder(HttpClient http, String origin, String... subprotocols) {
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(WAIT);
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        if (origin != null) {
            builder.header("Origin", origin);
        }
        return builder;
    }

    /**
     * Connects to {@code deployment} as user {@code name} (open mode, subprotocol {@code chat}) and takes the
     * {@code welcome}, which {@link #welcome()} then returns; nothing after it is taken.
     */
    public static TestClient named(URL deployment, String name) {
        return welcomed(Deployments.chat(deployment, "name=" + name));
    }

    /** Connects to {@code uri} with subprotocol {@code chat} and takes the {@code welcome}, as {@link #named}. */
    public static TestClient welcomed(URI uri) {
        return connect(uri, "chat").takeWelcome();
    }

    /**
     * Connects offering subprotocol {@code chat} and a bearer token for {@code user} (valid for
     * {@link #TOKEN_TTL}, granting {@code rooms}, none if null), signed with the test secret of
     * {@link Tokens}; nothing is taken, the {@code welcome} included.
     */
    public static TestClient withToken(URI uri, String user, List<String> rooms) {
        return connect(uri, Tokens.protocols(Tokens.hs256(user, TOKEN_TTL, rooms)));
    }

    /**
     * Connects with subprotocol {@code chat}, takes the {@code welcome}, joins {@code room} and returns once its
     * {@code joined} arrived; frames on the way (the default room's) are skipped.
     */
    public static TestClient inRoom(URI uri, String room) {
        TestClient c = connect(uri, "chat").takeWelcome();
        c.sendJoin(room);
        c.await(f -> "joined".equals(f.getString("type", null)) && room.equals(f.getString("room", null)), WAIT, null);
        return c;
    }

    /** {@link #inRoom(URI, String)} as user {@code name} (open mode) of {@code deployment}. */
    public static TestClient inRoom(URL deployment, String name, String room) {
        return inRoom(Deployments.chat(deployment, "name=" + name), room);
    }

    /** Takes the next frame, which must be the {@code welcome}, and keeps it for {@link #welcome()}. */
    public TestClient takeWelcome() {
        welcome = expect("welcome");
        return this;
    }

    /** The {@code welcome} taken by {@link #takeWelcome()} (or a factory that calls it); fails if none was. */
    public JsonObject welcome() {
        JsonObject w = welcome;
        if (w == null) {
            throw new AssertionError("no welcome was taken");
        }
        return w;
    }

    /** Sends a {@code join} of {@code room} and returns its {@code joined}, which must be the next frame. */
    public JsonObject join(String room) {
        sendJoin(room);
        return expectJoined(room);
    }

    /** The next frame, which must be the {@code joined} of {@code room}. */
    public JsonObject expectJoined(String room) {
        JsonObject joined = expect("joined");
        assertEquals(room, joined.getString("room", null), joined::toString);
        return joined;
    }

    private void sendJoin(String room) {
        send(Json.createObjectBuilder().add("type", "join").add("room", room).build().toString());
    }

    /** The subprotocol the server selected ("" for none). */
    public String subprotocol() {
        return subprotocol;
    }

    /** Sends a text frame and waits until it is written. */
    public TestClient send(String text) {
        join(socket.sendText(text, true));
        return this;
    }

    /**
     * Sends a text frame the server may refuse while it is still being written (a frame over the size
     * limit): returns false instead of failing when the server closed first.
     */
    public boolean trySend(String text) {
        try {
            socket.sendText(text, true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** Sends a binary frame. */
    public TestClient sendBinary(byte[] data) {
        join(socket.sendBinary(ByteBuffer.wrap(data), true));
        return this;
    }

    /** The next event, or fails after {@code timeout}. */
    public Event nextEvent(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                Event e = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new AssertionError("nothing received within " + timeout);
                }
                // Checked again here: a frame that arrived while ignore() was being called may have passed the
                // check on arrival (seen once: a presence frame after ignoring presence).
                if (!(e instanceof Text t && t.text().startsWith("{") && ignored.test(t.json()))) {
                    return e;
                }
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    /** The next text frame as JSON; fails if the next event is not a text frame. */
    public JsonObject next() {
        return next(WAIT);
    }

    /** The next text frame as JSON within {@code timeout}. */
    public JsonObject next(Duration timeout) {
        Event e = nextEvent(timeout);
        if (e instanceof Text t) {
            return t.json();
        }
        throw new AssertionError("expected a text frame, got " + e);
    }

    /** The next frame, which must have the given type. */
    public JsonObject expect(String type) {
        JsonObject frame = next();
        assertEquals(type, frame.getString("type", null), () -> "expected a " + type + " frame, got " + frame);
        return frame;
    }

    /** The next frame, which must be an {@code error} with {@code code} and {@code ref} (null for none). */
    public JsonObject expectError(String code, String ref) {
        JsonObject error = expect("error");
        assertEquals(code, error.getString("code"), error::toString);
        assertEquals(ref, error.getString("ref", null), error::toString);
        return error;
    }

    /**
     * Takes frames until one matches, within {@code timeout}; returns it. Frames skipped on the way are
     * kept in {@code skipped} when it is not null.
     */
    public JsonObject await(Predicate<JsonObject> match, Duration timeout, List<JsonObject> skipped) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<JsonObject> seen = new ArrayList<>();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no matching frame within " + timeout + "; saw " + seen);
            }
            JsonObject f = next(Duration.ofNanos(left));
            if (match.test(f)) {
                if (skipped != null) {
                    skipped.addAll(seen);
                }
                return f;
            }
            seen.add(f);
        }
    }

    /** Takes frames until one of the given type arrives; others are skipped. */
    public JsonObject await(String type) {
        return await(f -> type.equals(f.getString("type", null)), WAIT, null);
    }

    /** Asserts that no event arrives within {@code quiet} (for "nothing else is sent"). */
    public void expectNothing(Duration quiet) {
        try {
            Event e = events.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
            if (e != null) {
                fail("expected nothing, got " + e);
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    /** Waits for the server's close and returns it; text frames before it are skipped. */
    public Closed awaitClose(Duration timeout) {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("connection not closed within " + timeout + "; events: " + events, e);
        }
    }

    /** True once the server closed the connection (or it broke). */
    public boolean isClosed() {
        return closed.isDone();
    }

    /**
     * Drops text frames matching {@code filter}, those already queued and those still to come, for tests
     * that do not care about, say, presence in the default room.
     */
    public TestClient ignore(Predicate<JsonObject> filter) {
        this.ignored = filter;
        events.removeIf(e -> e instanceof Text t && t.text().startsWith("{") && filter.test(t.json()));
        return this;
    }

    /** Stops pulling frames off the socket; the server's writes back up in TCP buffers. */
    public void pauseReading() {
        reading.set(false);
    }

    /** Pulls frames again. */
    public void resumeReading() {
        reading.set(true);
        if (owed.compareAndSet(true, false)) {
            socket.request(1);
        }
    }

    /** Frames queued and not yet taken. */
    public int pending() {
        return events.size();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
        try {
            closed.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            socket.abort();
        }
    }

    /** Starts the close handshake with 1000 and returns the server's answering close frame. */
    public Closed closeNormally(Duration timeout) {
        join(socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye"));
        return awaitClose(timeout);
    }

    /** Tears the TCP connection down without a close handshake, like a crashed client. */
    public void abort() {
        socket.abort();
    }

    private static void join(CompletableFuture<WebSocket> f) {
        try {
            f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("send failed: " + e, e);
        }
    }

    private void received(Event e) {
        if (e instanceof Text t && t.text().startsWith("{") && ignored.test(t.json())) {
            return;
        }
        if (e instanceof Text t && t.text().startsWith("{\"type\":\"conversations\"") && !t.json().containsKey("ref")) {
            // Sent on every connect: tests that look at it take it with pushedConversations(); the others never see it.
            pushedConversations.add(t.json());
            return;
        }
        events.add(e);
    }

    /**
     * The next {@code conversations} frame the server sent by itself (on connect), within {@link #WAIT}; such frames
     * never appear among the frames {@link #next()} returns.
     */
    public JsonObject pushedConversations() {
        try {
            JsonObject c = pushedConversations.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (c == null) {
                throw new AssertionError("no conversations frame within " + WAIT);
            }
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private void more(WebSocket ws) {
        if (reading.get()) {
            ws.request(1);
        } else {
            owed.set(true);
            if (reading.get() && owed.compareAndSet(true, false)) {
                ws.request(1);
            }
        }
    }

    /** Collects partial frames into whole ones and hands them to the client. */
    private static final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private final List<Event> early = new ArrayList<>();
        private TestClient client;

        synchronized TestClient bind(WebSocket ws) {
            client = new TestClient(ws);
            for (Event e : early) {
                client.received(e);
                if (e instanceof Closed c) {
                    client.closed.complete(c);
                } else if (e instanceof Failed f) {
                    client.closed.complete(new Closed(1006, String.valueOf(f.error())));
                }
            }
            early.clear();
            return client;
        }

        private synchronized void emit(Event e) {
            if (client == null) {
                early.add(e);
            } else {
                client.received(e);
            }
        }

        private synchronized void again(WebSocket ws) {
            if (client == null) {
                ws.request(1);
            } else {
                client.more(ws);
            }
        }

        @Override
        public void onOpen(WebSocket ws) {
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                emit(new Text(text.toString()));
                text.setLength(0);
            }
            again(ws);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            emit(new Text("{\"type\":\"(binary)\"}"));
            again(ws);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            Closed c = new Closed(code, reason);
            emit(c);
            synchronized (this) {
                if (client != null) {
                    client.closed.complete(c);
                }
            }
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            emit(new Failed(error));
            synchronized (this) {
                if (client != null) {
                    client.closed.complete(new Closed(1006, String.valueOf(error)));
                }
            }
        }
    }
}
