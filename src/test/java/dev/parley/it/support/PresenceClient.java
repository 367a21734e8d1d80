package dev.parley.it.support;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;

import java.io.StringReader;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A cheap client for presence storms (a {@link RawClient} read on a daemon thread, so hundreds can run) that keeps
 * one room's member list the way docs/protocol.md tells a client to: from {@code joined}, then {@code presence_diff}
 * (joins, leaves, or a whole {@code members} list) or, without the feature, one {@code presence} frame per event; it
 * remembers the last count the server gave. It can vanish at once with a TCP reset.
 */
public final class PresenceClient {

    private final RawClient raw;
    private final String room;
    private final Set<String> members = new TreeSet<>();
    private final List<JsonObject> frames = new ArrayList<>();
    private int count = -1;
    private boolean joined;
    private boolean ended;

    private PresenceClient(RawClient raw, String room) {
        this.raw = raw;
        this.room = room;
    }

    /** Connects to {@code uri} (whose query says the name and features), following {@code room}'s members. */
    public static PresenceClient connect(URI uri, String room) {
        PresenceClient c = new PresenceClient(RawClient.connect(uri, "chat"), room);
        Thread reader = new Thread(c::readLoop, "presence-client");
        reader.setDaemon(true);
        reader.start();
        return c;
    }

    /** Sends one text frame. */
    public void send(String text) {
        raw.sendText(text);
    }

    /** Drops the connection with a TCP reset. */
    public void reset() {
        raw.reset();
    }

    /** Waits until the condition holds for this client; false on timeout. */
    public synchronized boolean await(Predicate<PresenceClient> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(this)) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || ended) {
                return condition.test(this);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** Whether the room's {@code joined} came. */
    public synchronized boolean joined() {
        return joined;
    }

    /** The members as this client knows them. */
    public synchronized Set<String> members() {
        return new TreeSet<>(members);
    }

    /** The last count the server told (joined or a diff), -1 before any. */
    public synchronized int count() {
        return count;
    }

    /** Every JSON frame received so far, in order. */
    public synchronized List<JsonObject> frames() {
        return List.copyOf(frames);
    }

    private void readLoop() {
        try {
            RawClient.Frame f;
            while ((f = raw.next(Duration.ofMinutes(10))) != null && f.opcode() != RawClient.Frame.CLOSE) {
                if (f.opcode() == RawClient.Frame.TEXT) {
                    JsonObject json = Json.createReader(new StringReader(f.text())).readObject();
                    synchronized (this) {
                        frames.add(json);
                        apply(json);
                        notifyAll();
                    }
                }
            }
        } catch (AssertionError e) {
            // nothing for ten minutes: give up reading
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    private void apply(JsonObject f) {
        if (!room.equals(f.getString("room", null))) {
            return;
        }
        switch (f.getString("type")) {
            case "joined" -> {
                joined = true;
                members.clear();
                members.addAll(names(f, "members"));
                count = f.getInt("count", members.size());
            }
            case "members" -> {
                members.addAll(names(f, "members"));
                count = f.getInt("count");
            }
            case "presence_diff" -> {
                if (f.containsKey("members")) {
                    members.clear();
                    members.addAll(names(f, "members"));
                }
                members.addAll(names(f, "joins"));
                members.removeAll(names(f, "leaves"));
                count = f.getInt("count");
            }
            case "presence" -> {
                if ("join".equals(f.getString("event"))) {
                    members.add(f.getString("user"));
                } else if ("leave".equals(f.getString("event"))) {
                    members.remove(f.getString("user"));
                }
                count = members.size();
            }
            default -> {
            }
        }
    }

    private static List<String> names(JsonObject f, String field) {
        JsonArray a = f.getJsonArray(field);
        return a == null ? List.of() : a.getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
    }
}
