package dev.parley.it;

import dev.parley.it.support.Deployments;
import dev.parley.it.support.RawClient;
import dev.parley.it.support.Servers;
import dev.parley.it.support.TestClient;
import dev.parley.testing.Tokens;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Token mode with small limits: every refusal of issue 5 as its close code or error frame, private rooms
 * tried every way the protocol allows, the heartbeat, and after each test a fresh client is still served.
 */
@ExtendWith(ArquillianExtension.class)
@Timeout(90)
class SecurityIT {

    static final Duration IDLE = Duration.ofMillis(1500);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley(String.join("\n",
                "parley.auth.mode=token",
                "parley.auth.hs256-secret=" + Tokens.SECRET,
                "parley.default-room=none",
                "parley.limits.connections-per-user=3",
                "parley.limits.connections-per-address=40",
                "parley.limits.rooms-per-connection=4",
                "parley.limits.members-per-room=3",
                "parley.rate.messages-per-second=5",
                "parley.rate.burst=20",
                "parley.rate.signals-per-second=5",
                "parley.rate.signal-burst=20",
                "parley.rate.close-after-refused=20",
                "parley.idle.timeout-ms=" + IDLE.toMillis(),
                "parley.outbox.close-grace-ms=2000"));
    }

    @ArquillianResource
    URL base;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void serverStillServesEveryoneElse() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        try (TestClient canary = connect("canary-" + System.nanoTime() % 100000, List.of())) {
            canary.send("{\"type\":\"join\",\"room\":\"canary\",\"ref\":\"j\"}");
            canary.expect("joined");
            canary.send("{\"type\":\"message\",\"room\":\"canary\",\"text\":\"still here\",\"ref\":\"m\"}");
            assertEquals("still here", canary.expect("message").getString("text"));
            canary.expect("ack");
        }
    }

    // ------------------------------------------------------------------ tokens

    @Test
    void aValidTokenInTheSubprotocolNamesTheUserAndTheServerStillSelectsChat() {
        TestClient alice = track(TestClient.withToken(chat(null), "alice", List.of()));
        assertEquals("chat", alice.subprotocol());
        assertEquals("alice", alice.expect("welcome").getString("user"));
    }

    @Test
    void aTokenInTheQueryWorksForClientsThatCannotSetSubprotocols() {
        TestClient q = track(TestClient.connect(chat("access_token=" + token("quentin", List.of())), "chat"));
        assertEquals("quentin", q.expect("welcome").getString("user"));
    }

    @Test
    void theNameInTheQueryIsIgnoredInTokenMode() {
        TestClient a = track(TestClient.connect(chat("name=admin"), Tokens.protocols(token("alice", List.of()))));
        assertEquals("alice", a.expect("welcome").getString("user"));
    }

    @Test
    void aMissingBadForgedOrExpiredTokenIsClosedWith4401AndAReason() {
        assertRefused(TestClient.connect(chat(null), "chat"), 4401, "missing token");
        assertRefused(TestClient.connect(chat(null), "chat", "bearer.not-a-jwt"), 4401, "invalid token: not a JWT");
        String forged = Tokens.hs256("another-secret-of-at-least-32-bytes!!", "alice", Instant.now().plusSeconds(60), null);
        assertRefused(TestClient.connect(chat(null), Tokens.protocols(forged)), 4401, "invalid token");
        String expired = Tokens.hs256(Tokens.SECRET, "alice", Instant.now().minusSeconds(5), null);
        assertRefused(TestClient.connect(chat(null), Tokens.protocols(expired)), 4401, "token expired");
        String unsigned = unsignedToken("alice");
        assertRefused(TestClient.connect(chat(null), Tokens.protocols(unsigned)), 4401, "invalid token");
    }

    @Test
    void aTokenThatExpiresWhileConnectedClosesWith4401() {
        TestClient c = track(TestClient.connect(chat(null), Tokens.protocols(token("erin", Duration.ofSeconds(2), List.of()))));
        c.expect("welcome");
        TestClient.Closed closed = c.awaitClose(Duration.ofSeconds(10));
        assertEquals(4401, closed.code());
        assertEquals("token expired", closed.reason());
    }

    @Test
    void aFreshTokenInAnAuthFrameKeepsTheConnectionOpenPastTheFirstExpiry() {
        TestClient c = track(TestClient.connect(chat(null), Tokens.protocols(token("fred", Duration.ofSeconds(2), List.of()))));
        c.expect("welcome");
        c.send("{\"type\":\"auth\",\"token\":\"" + token("fred", Duration.ofSeconds(60), List.of()) + "\",\"ref\":\"a1\"}");
        JsonObject ok = c.expect("authenticated");
        assertEquals("fred", ok.getString("user"));
        assertEquals("a1", ok.getString("ref"));
        c.expectNothing(Duration.ofSeconds(4)); // past the first token's expiry
        c.send("{\"type\":\"ping\",\"ref\":\"p\"}");
        assertEquals("p", c.expect("pong").getString("ref"));
    }

    @Test
    void anAuthFrameWithABadOrAnotherUsersTokenIsRefusedAndTheConnectionStays() {
        TestClient c = track(TestClient.withToken(chat(null), "gina", List.of()));
        c.expect("welcome");
        c.send("{\"type\":\"auth\",\"token\":\"" + token("root", List.of()) + "\",\"ref\":\"a1\"}");
        c.expectError("unauthorized", "a1");
        c.send("{\"type\":\"auth\",\"token\":\"garbage\",\"ref\":\"a2\"}");
        c.expectError("unauthorized", "a2");
        c.send("{\"type\":\"ping\",\"ref\":\"p\"}");
        c.expect("pong");
    }

    @Test
    void manyConnectionsOpeningAtOnceEachGetTheirOwnIdentity() throws Exception {
        // Checks that the container gives every handshake its own user properties (where the offered
        // protocols, and so the token, are passed from the configurator to the endpoint).
        int n = 24;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<String>> users = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String user = "par" + i;
                users.add(pool.submit(() -> {
                    try (TestClient c = TestClient.withToken(chat(null), user, List.of())) {
                        return c.expect("welcome").getString("user");
                    }
                }));
            }
            for (int i = 0; i < n; i++) {
                assertEquals("par" + i, users.get(i).get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ private rooms

    @Test
    void aPrivateRoomNeverReachesAUserWithoutAccessWhateverSheTries() {
        TestClient alice = connect("alice", List.of("team-*"));
        TestClient bob = connect("bob", List.of("private.team-red"));
        TestClient mallory = connect("mallory", List.of("other-*"));
        alice.send("{\"type\":\"join\",\"room\":\"private.team-red\",\"ref\":\"j\"}");
        alice.expect("joined");
        alice.send("{\"type\":\"message\",\"room\":\"private.team-red\",\"text\":\"the secret plan\",\"ref\":\"m1\"}");
        alice.await("ack");

        // bob is allowed: he sees the history and the presence
        bob.send("{\"type\":\"join\",\"room\":\"private.team-red\",\"ref\":\"j\"}");
        JsonObject joined = bob.expect("joined");
        assertEquals("the secret plan", joined.getJsonArray("history").getJsonObject(0).getString("text"));
        alice.await("presence");

        // mallory tries every way the protocol offers
        mallory.send("{\"type\":\"join\",\"room\":\"private.team-red\",\"ref\":\"x1\"}");
        mallory.expectError("forbidden", "x1");
        mallory.send("{\"type\":\"join\",\"room\":\"private.team-red\",\"since\":0,\"ref\":\"x2\"}");
        mallory.expectError("forbidden", "x2");
        mallory.send("{\"type\":\"history\",\"room\":\"private.team-red\",\"ref\":\"x3\"}");
        mallory.expectError("not_member", "x3");
        mallory.send("{\"type\":\"typing\",\"room\":\"private.team-red\",\"ref\":\"x4\"}");
        mallory.expectError("not_member", "x4");
        mallory.send("{\"type\":\"message\",\"room\":\"private.team-red\",\"text\":\"let me in\",\"ref\":\"x5\"}");
        mallory.expectError("not_member", "x5");
        mallory.send("{\"type\":\"direct\",\"to\":\"alice\",\"text\":\"what is the plan?\",\"ref\":\"x6\"}");
        mallory.expectError("forbidden", "x6");
        mallory.send("private.team-red: hello?");
        assertEquals("not_member", mallory.expect("error").getString("code"));
        mallory.send("{\"type\":\"rooms\",\"ref\":\"x7\"}");
        JsonObject rooms = mallory.expect("rooms");
        assertFalse(rooms.toString().contains("private.team-red"), rooms::toString);
        // a private room her own token grants is fine, and another's private room by a similar name is not
        mallory.send("{\"type\":\"join\",\"room\":\"private.other-1\",\"ref\":\"x8\"}");
        mallory.expect("joined");
        mallory.send("{\"type\":\"join\",\"room\":\"private.team-red-other\",\"ref\":\"x9\"}");
        mallory.expectError("forbidden", "x9");

        // the room goes on while mallory watches: messages, typing, presence
        alice.send("{\"type\":\"typing\",\"room\":\"private.team-red\"}");
        bob.await("typing");
        alice.send("{\"type\":\"message\",\"room\":\"private.team-red\",\"text\":\"second secret\",\"ref\":\"m2\"}");
        bob.await(f -> "second secret".equals(f.getString("text", null)), TestClient.WAIT, null);
        bob.send("{\"type\":\"leave\",\"room\":\"private.team-red\"}");
        alice.await("presence");
        // nothing of it reached mallory: the frames before her pong are all she got
        mallory.send("{\"type\":\"ping\",\"ref\":\"barrier\"}");
        List<JsonObject> seen = new ArrayList<>();
        mallory.await(f -> "pong".equals(f.getString("type", null)), TestClient.WAIT, seen);
        for (JsonObject f : seen) {
            assertFalse(f.toString().contains("private.team-red") || f.toString().contains("secret"), f::toString);
        }
    }

    @Test
    void aRefreshedTokenWithoutTheGrantLeavesThePrivateRoom() {
        TestClient h = track(TestClient.withToken(chat(null), "hugo", List.of("team-*")));
        h.expect("welcome");
        h.send("{\"type\":\"join\",\"room\":\"private.team-blue\",\"ref\":\"j\"}");
        h.expect("joined");
        h.send("{\"type\":\"auth\",\"token\":\"" + token("hugo", List.of()) + "\",\"ref\":\"a\"}");
        JsonObject left = h.expect("left");
        assertEquals("private.team-blue", left.getString("room"));
        h.expect("authenticated");
        h.send("{\"type\":\"message\",\"room\":\"private.team-blue\",\"text\":\"x\",\"ref\":\"m\"}");
        h.expectError("not_member", "m");
    }

    // ------------------------------------------------------------------ origins

    @Test
    void aForeignOriginGetsHttp403AndNoConnection() {
        assertEquals(403, TestClient.refusedHandshakeStatus("https://evil.example", chat(null), Tokens.protocols(token("ivan", List.of()))));
        assertEquals(403, TestClient.refusedHandshakeStatus("null", chat(null), Tokens.protocols(token("ivan", List.of()))));
    }

    @Test
    void localhostAndTheServersOwnOriginAreAllowed() {
        URI uri = chat(null);
        TestClient local = track(TestClient.connectFrom("http://localhost:3000", uri, Tokens.protocols(token("judy", List.of()))));
        local.expect("welcome");
        TestClient self = track(TestClient.connectFrom("http://127.0.0.1:" + uri.getPort(), uri, Tokens.protocols(token("judy", List.of()))));
        self.expect("welcome");
    }

    // ------------------------------------------------------------------ limits

    @Test
    void aFourthConnectionOfOneUserIsClosedWith4429() {
        for (int i = 0; i < 3; i++) {
            connect("kim", List.of());
        }
        assertRefused(TestClient.withToken(chat(null), "kim", List.of()), 4429, "too many connections for this user");
    }

    @Test
    void connectionsOverThePerAddressLimitAreClosedWith4429() {
        TestClient.Closed refused = null;
        for (int i = 0; i <= 40 && refused == null; i++) {
            TestClient c = track(TestClient.withToken(chat(null), "addr" + i, List.of()));
            TestClient.Event first = c.nextEvent(TestClient.WAIT);
            if (first instanceof TestClient.Closed closed) {
                refused = closed;
            }
        }
        assertNotNull(refused, "41 connections from one address were all admitted");
        assertEquals(4429, refused.code());
        assertEquals("too many connections from this address", refused.reason());
    }

    @Test
    void aFifthRoomIsRefusedAsInvalid() {
        TestClient c = connect("lena", List.of());
        for (int i = 1; i <= 4; i++) {
            c.send("{\"type\":\"join\",\"room\":\"r" + i + "\"}");
            c.expect("joined");
        }
        c.send("{\"type\":\"join\",\"room\":\"r5\",\"ref\":\"j5\"}");
        c.expectError("invalid", "j5");
        c.send("{\"type\":\"leave\",\"room\":\"r1\"}");
        c.expect("left");
        c.send("{\"type\":\"join\",\"room\":\"r5\",\"ref\":\"j5b\"}");
        c.expect("joined");
    }

    @Test
    void aFourthMemberIsRefusedWithRoomFullWhileAnotherTabOfAMemberGetsIn() {
        for (String u : List.of("m1", "m2", "m3")) {
            TestClient c = connect(u, List.of());
            c.send("{\"type\":\"join\",\"room\":\"small\"}");
            c.expect("joined");
        }
        TestClient fourth = connect("m4", List.of());
        fourth.send("{\"type\":\"join\",\"room\":\"small\",\"ref\":\"j\"}");
        fourth.expectError("room_full", "j");
        TestClient secondTab = connect("m1", List.of());
        secondTab.send("{\"type\":\"join\",\"room\":\"small\"}");
        secondTab.expect("joined");
    }

    @Test
    void aFloodIsRateLimitedWithTheRefThenClosedWith4429WhileTypingAndChatKeepSeparateBuckets() {
        TestClient other = connect("nina", List.of());
        other.send("{\"type\":\"join\",\"room\":\"busy\"}");
        other.expect("joined");
        TestClient flood = connect("oscar", List.of());
        flood.send("{\"type\":\"join\",\"room\":\"busy\"}");
        flood.expect("joined");
        // the signal bucket (burst 20) runs dry on typing; chat still passes
        for (int i = 0; i < 25; i++) {
            flood.send("{\"type\":\"typing\",\"room\":\"busy\",\"ref\":\"t" + i + "\"}");
        }
        JsonObject typingLimited = flood.await("error");
        assertEquals("rate_limited", typingLimited.getString("code"));
        assertTrue(typingLimited.getString("ref").startsWith("t"));
        flood.send("{\"type\":\"message\",\"room\":\"busy\",\"text\":\"still chatting\",\"ref\":\"c0\"}");
        flood.await(f -> "ack".equals(f.getString("type", null)) && "c0".equals(f.getString("ref", null)), TestClient.WAIT, null);
        // now the chat bucket (burst 20): the frames over it are refused one by one, with their ref
        for (int i = 1; i <= 30; i++) {
            flood.send("{\"type\":\"message\",\"room\":\"busy\",\"text\":\"flood " + i + "\",\"ref\":\"f" + i + "\"}");
        }
        JsonObject limited = flood.await("error");
        assertEquals("rate_limited", limited.getString("code"));
        assertTrue(limited.getString("ref").startsWith("f"), limited::toString);
        // keeping on closes the connection
        for (int i = 0; i < 200 && !flood.isClosed(); i++) {
            try {
                flood.send("{\"type\":\"message\",\"room\":\"busy\",\"text\":\"more\",\"ref\":\"g" + i + "\"}");
            } catch (AssertionError sendFailedAfterClose) {
                break;
            }
        }
        TestClient.Closed closed = flood.awaitClose(TestClient.WAIT);
        assertEquals(4429, closed.code());
        assertEquals("too many messages", closed.reason());
        // the other member is still served
        other.send("{\"type\":\"message\",\"room\":\"busy\",\"text\":\"calm\",\"ref\":\"n\"}");
        other.await(f -> "ack".equals(f.getString("type", null)) && "n".equals(f.getString("ref", null)), TestClient.WAIT, null);
    }

    @Test
    void aTooLongTextIsRefusedAndATooBigFrameClosesWith1009() {
        TestClient c = connect("paul", List.of());
        c.send("{\"type\":\"join\",\"room\":\"words\"}");
        c.expect("joined");
        c.send("{\"type\":\"message\",\"room\":\"words\",\"text\":\"" + "x".repeat(4001) + "\",\"ref\":\"long\"}");
        c.expectError("too_long", "long");
        c.send("x".repeat(70 * 1024));
        assertEquals(1009, c.awaitClose(TestClient.WAIT).code());
    }

    // ------------------------------------------------------------------ heartbeat

    @Test
    void aQuietClientThatAnswersPingsStaysOpenPastTheIdleTimeout() {
        TestClient quiet = connect("quinn", List.of());
        quiet.expectNothing(IDLE.multipliedBy(3));
        quiet.send("{\"type\":\"ping\",\"ref\":\"p\"}");
        assertEquals("p", quiet.expect("pong").getString("ref"));
    }

    @Test
    void aPeerThatAnswersNoPingIsClosedWith4408AndItsSocketIsDropped() {
        try (RawClient raw = RawClient.connect(chat(null), "chat, bearer." + token("rita", List.of()))) {
            List<Integer> opcodes = new ArrayList<>();
            RawClient.Frame f;
            RawClient.Frame close = null;
            while ((f = raw.next(Duration.ofSeconds(10))) != null) {
                opcodes.add(f.opcode());
                if (f.opcode() == RawClient.Frame.CLOSE) {
                    close = f;
                    break;
                }
            }
            assertNotNull(close, "no close frame; saw opcodes " + opcodes);
            assertTrue(opcodes.contains(RawClient.Frame.PING), "the server never pinged: " + opcodes);
            assertEquals(4408, close.closeCode());
            assumeFalse(Servers.current() == Servers.TOMEE, "TomEE (Tomcat) keeps the TCP connection open after its close"
                    + " frame until the peer answers it, and the WebSocket API offers no way to drop the socket");
            // the peer never answers the close: the server must still drop the TCP connection
            assertNull(raw.next(Duration.ofSeconds(15)), "the socket stayed open after the close");
        }
    }

    @Test
    void aLeaveOfAPrivateRoomNeverJoinedNeitherOpensDirectMessagesNorTellsWhoWasThere() {
        TestClient boss = connect("boss", List.of("board-*"));
        boss.send("{\"type\":\"join\",\"room\":\"private.board-X\",\"ref\":\"j\"}");
        boss.expect("joined");
        boss.closeNormally(TestClient.WAIT);

        TestClient eve = connect("eve", List.of());
        eve.send("{\"type\":\"direct\",\"to\":\"boss\",\"text\":\"hi\",\"ref\":\"d1\"}");
        eve.expectError("forbidden", "d1");
        eve.send("{\"type\":\"leave\",\"room\":\"private.board-X\",\"ref\":\"l1\"}");
        eve.expectError("not_member", "l1");
        eve.send("{\"type\":\"direct\",\"to\":\"boss\",\"text\":\"hi again\",\"ref\":\"d2\"}");
        eve.expectError("forbidden", "d2");
    }

    // ------------------------------------------------------------------ helpers

    private URI chat(String query) {
        return Deployments.chat(base, query);
    }

    private static String token(String user, List<String> rooms) {
        return token(user, Duration.ofMinutes(10), rooms);
    }

    private static String token(String user, Duration ttl, List<String> rooms) {
        return Tokens.hs256(user, ttl, rooms);
    }

    /** A JWT with {@code alg: none}: must never be accepted. */
    private static String unsignedToken(String user) {
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"none\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String body = b64.encodeToString(("{\"sub\":\"" + user + "\",\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return header + "." + body + ".";
    }

    private TestClient connect(String user, List<String> rooms) {
        return track(TestClient.withToken(chat(null), user, rooms)).takeWelcome();
    }

    private TestClient track(TestClient c) {
        open.add(c);
        return c;
    }

    private void assertRefused(TestClient c, int code, String reason) {
        track(c);
        TestClient.Event first = c.nextEvent(TestClient.WAIT);
        assertEquals(new TestClient.Closed(code, reason), first);
    }

}
