package dev.parley.it;

import dev.parley.it.support.Deployments;
import dev.parley.it.support.PresenceClient;
import dev.parley.it.support.ServerStatus;
import dev.parley.it.support.TestClient;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Presence in storms and large rooms, with real WebSocket clients: hundreds joining one room at once all end up
 * knowing exactly who is there (through coalesced {@code presence_diff} frames), and again after half of them vanish
 * at once, after which a newcomer still chats and no thread is deadlocked; a client that did not ask for diffs keeps
 * one {@code presence} frame per event in a small room; a large room's {@code joined} lists its first page with the
 * count, and paging with {@code members} returns everyone exactly once.
 */
@ExtendWith(ArquillianExtension.class)
@Timeout(600)
class PresenceIT {

    /** Rooms of more users than this are large. */
    private static final int LARGE_ROOM = 250;
    private static final int STORM = 240;
    private static final Duration SETTLE = Duration.ofSeconds(60);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley("parley.store=memory\nparley.rate.messages-per-second=0\n"
                + "parley.limits.connections-per-address=0\nparley.limits.connections-per-user=0\n"
                + "parley.presence.large-room=" + LARGE_ROOM + "\n");
    }

    @ArquillianResource
    URL base;

    @AfterEach
    void everyConnectionReleased() {
        new ServerStatus(base).await(s -> s.getInt("connections") == 0, Duration.ofSeconds(60),
                "every connection of the test released");
    }

    @Test
    void hundredsJoiningOneRoomAtOnceAllKnowExactlyWhoIsThereAndStillDoAfterHalfVanishAtOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<PresenceClient> crowd = new ArrayList<>();
        try {
            List<Future<PresenceClient>> connecting = new ArrayList<>();
            for (int i = 0; i < STORM; i++) {
                String name = "st-" + i;
                connecting.add(pool.submit(() -> PresenceClient.connect(
                        Deployments.chat(base, "name=" + name + "&features=presence-diff"), "lobby")));
            }
            Set<String> everyone = new TreeSet<>();
            for (int i = 0; i < STORM; i++) {
                crowd.add(connecting.get(i).get());
                everyone.add("st-" + i);
            }
            for (PresenceClient c : crowd) {
                assertTrue(c.await(x -> x.members().equals(everyone) && x.count() == STORM, SETTLE),
                        () -> "a client knows every member: it has " + c.members().size() + ", count " + c.count());
            }
            for (PresenceClient c : crowd) {
                assertTrue(c.frames().stream().noneMatch(f -> "presence".equals(f.getString("type"))),
                        "a client with diffs gets no one-event presence frames");
                long diffs = c.frames().stream().filter(f -> "presence_diff".equals(f.getString("type"))).count();
                assertTrue(diffs < STORM / 2, "joins were coalesced: " + diffs + " diffs for " + STORM + " joins");
            }

            // half of them vanish at once (TCP resets)
            List<PresenceClient> gone = crowd.subList(0, STORM / 2);
            List<PresenceClient> staying = crowd.subList(STORM / 2, STORM);
            gone.forEach(PresenceClient::reset);
            Set<String> remaining = new TreeSet<>();
            for (int i = STORM / 2; i < STORM; i++) {
                remaining.add("st-" + i);
            }
            for (PresenceClient c : staying) {
                assertTrue(c.await(x -> x.members().equals(remaining) && x.count() == remaining.size(), SETTLE),
                        () -> "after the drop a client knows who is left: it has " + c.members().size() + ", count " + c.count());
            }
            try (TestClient newcomer = TestClient.connect(Deployments.chat(base, "name=st-newcomer"), "chat")) {
                newcomer.expect("welcome");
                newcomer.expect("joined");
                newcomer.send("{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"still here\",\"ref\":\"n1\"}");
                newcomer.await(f -> "ack".equals(f.getString("type", null)), Duration.ofSeconds(30), null);
            }
            JsonObject status = new ServerStatus(base).read();
            assertEquals(0, status.getInt("deadlockedThreads"), "deadlocked threads: " + status);
        } finally {
            crowd.forEach(PresenceClient::reset);
            pool.shutdownNow();
        }
    }

    @Test
    void aClientWithoutDiffsKeepsOneFramePerEventInASmallRoom() throws Exception {
        try (TestClient v1 = TestClient.inRoom(base, "v1-watcher", "v1-small");
             TestClient bob = TestClient.inRoom(base, "v1-bob", "v1-small")) {
            PresenceClient differ = PresenceClient.connect(
                    Deployments.chat(base, "name=v1-differ&features=presence-diff"), "v1-small");
            try {
                differ.send("{\"type\":\"join\",\"room\":\"v1-small\"}");
                assertTrue(differ.await(PresenceClient::joined, Duration.ofSeconds(30)));
                bob.send("{\"type\":\"leave\",\"room\":\"v1-small\",\"ref\":\"l\"}");
                bob.await(f -> "left".equals(f.getString("type", null)), Duration.ofSeconds(30), null);

                assertEquals(List.of("join v1-bob", "join v1-differ", "leave v1-bob"),
                        List.of(event(presenceIn(v1, "v1-small")), event(presenceIn(v1, "v1-small")), event(presenceIn(v1, "v1-small"))));
                assertTrue(differ.await(x -> x.members().equals(Set.of("v1-watcher", "v1-differ")), Duration.ofSeconds(30)),
                        () -> "the diff client followed: " + differ.members());
                assertTrue(differ.frames().stream().noneMatch(f -> "presence".equals(f.getString("type"))));
                JsonObject welcome = differ.frames().get(0);
                assertEquals("welcome", welcome.getString("type"));
                assertEquals(List.of("presence-diff"), strings(welcome, "features"));
                assertFalse(v1.welcome().containsKey("features"), "a v1 welcome is as before");
            } finally {
                differ.reset();
            }
        }
    }

    @Test
    void aLargeRoomsJoinedListsTheFirstPageWithTheCountAndPagingReturnsEveryoneOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<PresenceClient> crowd = new ArrayList<>();
        int size = LARGE_ROOM + 10;
        PresenceClient v1 = PresenceClient.connect(Deployments.chat(base, "name=lr-v1"), "lr-big");
        try {
            v1.send("{\"type\":\"join\",\"room\":\"lr-big\"}");
            assertTrue(v1.await(PresenceClient::joined, SETTLE));
            List<Future<PresenceClient>> connecting = new ArrayList<>();
            for (int i = 0; i < size - 1; i++) {
                String name = String.format("lr-%03d", i);
                connecting.add(pool.submit(() -> {
                    PresenceClient c = PresenceClient.connect(
                            Deployments.chat(base, "name=" + name + "&features=presence-diff"), "lr-big");
                    c.send("{\"type\":\"join\",\"room\":\"lr-big\"}");
                    return c;
                }));
            }
            for (Future<PresenceClient> f : connecting) {
                crowd.add(f.get());
            }
            for (PresenceClient c : crowd) {
                assertTrue(c.await(PresenceClient::joined, SETTLE), "joined");
            }
            PresenceClient watcher = crowd.get(0);
            assertTrue(watcher.await(x -> x.count() == size, SETTLE), () -> "the count reached " + size + ": " + watcher.count());

            try (TestClient late = TestClient.connect(Deployments.chat(base, "name=lr-late&features=presence-diff"), "chat")) {
                late.expect("welcome");
                late.expect("joined");
                late.send("{\"type\":\"join\",\"room\":\"lr-big\",\"ref\":\"j\"}");
                JsonObject joined = late.await(f -> "joined".equals(f.getString("type")) && "lr-big".equals(f.getString("room")),
                        Duration.ofSeconds(30), null);
                assertEquals(LARGE_ROOM, joined.getJsonArray("members").size(), "joined lists the first page only");
                assertEquals(size + 1, joined.getInt("count"));

                List<String> paged = new ArrayList<>();
                String after = null;
                for (int page = 0; page < 10; page++) {
                    late.send("{\"type\":\"members\",\"room\":\"lr-big\",\"limit\":100,\"ref\":\"p" + page + "\""
                            + (after == null ? "" : ",\"after\":\"" + after + "\"") + "}");
                    String ref = "p" + page;
                    JsonObject m = late.await(f -> "members".equals(f.getString("type")) && ref.equals(f.getString("ref", null)),
                            Duration.ofSeconds(30), null);
                    paged.addAll(strings(m, "members"));
                    after = m.getString("next", null);
                    if (after == null) {
                        break;
                    }
                }
                Set<String> expected = new TreeSet<>();
                for (int i = 0; i < size - 1; i++) {
                    expected.add(String.format("lr-%03d", i));
                }
                expected.add("lr-v1");
                expected.add("lr-late");
                assertEquals(size + 1, paged.size(), "nobody twice");
                assertEquals(expected, new HashSet<>(paged).size() == paged.size() ? new TreeSet<>(paged) : Set.of(),
                        "everyone exactly once");
            }
            // in a large room: nothing per user for the v1 client, only the count for diff clients
            assertTrue(v1.frames().stream().noneMatch(f -> "presence".equals(f.getString("type"))
                    && "lr-big".equals(f.getString("room", null)) && "lr-late".equals(f.getString("user", null))));
            assertTrue(watcher.await(x -> x.count() == size, SETTLE), "the late client's leave was counted");
            assertTrue(watcher.frames().stream().filter(f -> "presence_diff".equals(f.getString("type")) && f.getInt("count") > LARGE_ROOM)
                    .allMatch(f -> !f.containsKey("joins") && !f.containsKey("leaves")), "large-room diffs carry only the count");
        } finally {
            v1.reset();
            crowd.forEach(PresenceClient::reset);
            pool.shutdownNow();
        }
    }

    private static JsonObject presenceIn(TestClient c, String room) {
        return c.await(f -> "presence".equals(f.getString("type", null)) && room.equals(f.getString("room", null)),
                Duration.ofSeconds(30), null);
    }

    private static String event(JsonObject presence) {
        return presence.getString("event") + " " + presence.getString("user");
    }

    private static List<String> strings(JsonObject f, String field) {
        return f.getJsonArray(field).getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
    }
}
