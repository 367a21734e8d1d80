package dev.parley.it;

import dev.parley.it.support.ApiClient;
import dev.parley.it.support.Deployments;
import dev.parley.it.support.TestClient;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP API under {@code /api}, called with a real HTTP client against the deployed WAR, and what WebSocket
 * clients see of it: published messages arrive once, in history once, replays store nothing; every refusal is
 * an RFC 9457 problem with the right status. Each test uses rooms and users of its own.
 */
@ExtendWith(ArquillianExtension.class)
@Timeout(90)
class ApiIT {

    static final String KEY = "api-it-key-0123456789abcdef";
    static final String ROTATED = "api-it-next-0123456789abcdef";
    static final String LIMITED = "api-it-limited-0123456789abc";
    /** A key that may also send as a-sam and a-tess. */
    static final String SPEAKER = "api-it-speaker-0123456789abc";
    /** A key that may send as anyone. */
    static final String ANYONE = "api-it-anyone-0123456789abcd";
    static final int DATA_BYTES = 1000;
    static final Duration QUIET = Duration.ofMillis(500);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley("parley.default-room=\nparley.text.max-chars=100\n"
                + "parley.limits.data-bytes=" + DATA_BYTES + "\n"
                + "parley.api.keys=" + KEY + ", " + ROTATED + "," + LIMITED + "," + SPEAKER + ":a-sam|a-tess, " + ANYONE + ":*\n"
                + "parley.api.rate.requests-per-second=1\nparley.api.rate.burst=150\n");
    }

    @ArquillianResource
    URL base;

    private ApiClient api() {
        return ApiClient.withKey(base, KEY);
    }

    /** The response is a problem with this status and Parley code. */
    private static JsonObject assertProblem(int status, String code, HttpResponse<String> r) {
        assertEquals(status, r.statusCode(), r::body);
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse("").split(";")[0], r::body);
        JsonObject p = ApiClient.json(r);
        assertEquals(status, p.getInt("status"), r::body);
        assertNotNull(p.getString("title"));
        assertFalse(p.getString("detail").isBlank());
        if (code != null) {
            assertEquals(code, p.getString("code"), r::body);
        }
        return p;
    }

    private static List<String> texts(JsonObject history) {
        return history.getJsonArray("messages").getValuesAs(JsonObject.class).stream().map(m -> m.getString("text")).toList();
    }

    private static List<Long> seqs(JsonObject history) {
        return history.getJsonArray("messages").getValuesAs(JsonObject.class).stream().map(m -> m.getJsonNumber("seq").longValue()).toList();
    }

    @Test
    void aPublishedMessageReachesMembersAndHistoryOnceAndAReplayReturnsTheOriginal() {
        try (TestClient alice = TestClient.inRoom(base, "a-alice", "a-pub")) {
            HttpResponse<String> first = api().post("rooms/a-pub/messages", "{\"text\":\"deploy done\"}", "Idempotency-Key", "k-1");
            assertEquals(201, first.statusCode(), first::body);
            JsonObject stored = ApiClient.json(first);
            long seq = stored.getJsonNumber("seq").longValue();
            assertEquals("api", stored.getString("from"));
            assertEquals("a-pub", stored.getString("room"));

            JsonObject live = alice.expect("message");
            assertEquals("deploy done", live.getString("text"));
            assertEquals(seq, live.getJsonNumber("seq").longValue());
            assertEquals("api", live.getString("from"));
            assertEquals(stored.getString("ts"), live.getString("ts"));

            HttpResponse<String> replay = api().post("rooms/a-pub/messages", "{\"text\":\"deploy done\"}", "Idempotency-Key", "k-1");
            assertEquals(200, replay.statusCode(), replay::body);
            assertEquals("true", replay.headers().firstValue("Idempotent-Replayed").orElse(null));
            assertEquals(stored, ApiClient.json(replay));
            alice.send("{\"type\":\"ping\",\"ref\":\"barrier\"}");
            assertEquals("pong", alice.next().getString("type"), "the replay was sent to the room again");

            JsonObject history = ApiClient.json(api().get("rooms/a-pub/messages"));
            assertEquals(List.of("deploy done"), texts(history));
        }
        try (TestClient late = TestClient.connect(Deployments.chat(base, "name=a-late"), "chat").takeWelcome()) {
            JsonObject joined = late.join("a-pub");
            assertEquals(1, joined.getJsonArray("history").size());
        }
    }

    @Test
    void concurrentReplaysOfOneKeyStoreAndBroadcastOnce() throws Exception {
        int calls = 12;
        try (TestClient alice = TestClient.inRoom(base, "a-conc", "a-conc")) {
            ExecutorService pool = Executors.newFixedThreadPool(calls);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
                for (int i = 0; i < calls; i++) {
                    answers.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            start.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return api().post("rooms/a-conc/messages", "{\"text\":\"once\"}", "Idempotency-Key", "same");
                    }, pool));
                }
                start.countDown();
                List<HttpResponse<String>> responses = new ArrayList<>();
                for (CompletableFuture<HttpResponse<String>> a : answers) {
                    responses.add(a.get(30, TimeUnit.SECONDS));
                }
                assertEquals(1, responses.stream().filter(r -> r.statusCode() == 201).count(),
                        () -> responses.stream().map(r -> r.statusCode() + " " + r.body()).toList().toString());
                assertEquals(calls - 1, responses.stream().filter(r -> r.statusCode() == 200).count());
                assertEquals(1, responses.stream().map(r -> ApiClient.json(r).getJsonNumber("seq").longValue()).distinct().count());
            } finally {
                pool.shutdownNow();
            }
            assertEquals("once", alice.expect("message").getString("text"));
            alice.expectNothing(QUIET);
            assertEquals(List.of("once"), texts(ApiClient.json(api().get("rooms/a-conc/messages"))));
        }
    }

    @Test
    void aKeyReusedForAnotherTextIsAConflict() {
        assertEquals(201, api().post("rooms/a-409/messages", "{\"text\":\"first\"}", "Idempotency-Key", "k").statusCode());
        assertProblem(409, "conflict", api().post("rooms/a-409/messages", "{\"text\":\"second\"}", "Idempotency-Key", "k"));
        assertEquals(List.of("first"), texts(ApiClient.json(api().get("rooms/a-409/messages"))));
    }

    @Test
    void missingWrongOrMisspelledKeysAre401AndEveryConfiguredKeyWorks() {
        for (String authorization : new String[]{null, "Bearer wrong-key-0123456789abcdef", "Basic " + KEY, "Bearer",
                "Bearer " + KEY + "x", KEY}) {
            HttpResponse<String> r = ApiClient.withAuthorization(base, authorization).get("rooms");
            assertProblem(401, "unauthorized", r);
            assertEquals("Bearer realm=\"parley\"", r.headers().firstValue("WWW-Authenticate").orElse(null));
            assertProblem(401, "unauthorized", ApiClient.withAuthorization(base, authorization)
                    .post("rooms/a-401/messages", "{\"text\":\"sneaky\"}"));
        }
        assertEquals(200, ApiClient.withKey(base, ROTATED).get("rooms").statusCode());
        assertEquals(200, ApiClient.withAuthorization(base, "bearer " + KEY).get("rooms").statusCode());
        assertProblem(404, null, api().get("rooms/a-401/messages"));
    }

    @Test
    void badBodiesAndParametersAre400Problems() {
        String path = "rooms/a-400/messages";
        assertProblem(400, "invalid", api().post(path, "not json"));
        assertProblem(400, "invalid", api().post(path, "[\"text\"]"));
        assertProblem(400, "invalid", api().post(path, "{}"));
        assertProblem(400, "invalid", api().post(path, "{\"text\":42}"));
        assertProblem(400, "invalid", api().post(path, "{\"text\":\"   \"}"));
        assertProblem(400, "invalid", api().post(path, ""));
        assertProblem(400, "invalid", api().post(path, "{\"text\":\"x\"}", "Idempotency-Key", "k".repeat(65)));
        assertProblem(400, "invalid", api().post("rooms/-bad/messages", "{\"text\":\"x\"}"));
        assertProblem(400, "invalid", api().post("users/no%20spaces/messages", "{\"text\":\"x\"}"));
        assertProblem(400, "invalid", api().get("rooms/a-400/messages?limit=0"));
        assertProblem(400, "invalid", api().get("rooms/a-400/messages?limit=101"));
        assertProblem(400, "invalid", api().get("rooms/a-400/messages?before=soon"));
        assertProblem(415, null, api().postAs(path, "text/plain", "{\"text\":\"x\"}"));
        assertProblem(405, null, api().post("rooms", "{}"));
        assertProblem(404, null, api().get("no-such-thing"));
        assertProblem(404, "not_found", api().get(path));
    }

    @Test
    void overSizedBodiesAndTextsAre413() {
        assertProblem(413, "too_long", api().post("rooms/a-413/messages", "{\"text\":\"" + "x".repeat(70_000) + "\"}"));
        assertProblem(413, "too_long", api().post("rooms/a-413/messages", "{\"text\":\"" + "x".repeat(101) + "\"}"));
        assertEquals(201, api().post("rooms/a-413/messages", "{\"text\":\"" + "x".repeat(100) + "\"}").statusCode());
    }

    @Test
    void unknownRoomsAre404AndKnownOnesListTheirMembers() {
        assertProblem(404, "not_found", api().get("rooms/a-nobody/members"));
        assertProblem(404, "not_found", api().get("rooms/a-nobody/messages"));
        try (TestClient ann = TestClient.inRoom(base, "a-ann", "a-room");
             TestClient ben = TestClient.inRoom(base, "a-ben", "a-room");
             TestClient ben2 = TestClient.inRoom(base, "a-ben", "a-room")) {
            JsonObject members = ApiClient.json(api().get("rooms/a-room/members"));
            assertEquals(List.of("a-ann", "a-ben"), members.getJsonArray("members").getValuesAs(JsonString.class)
                    .stream().map(JsonString::getString).toList());
            JsonObject listed = ApiClient.json(api().get("rooms")).getJsonArray("rooms").getValuesAs(JsonObject.class)
                    .stream().filter(r -> r.getString("name").equals("a-room")).findFirst().orElseThrow();
            assertEquals(2, listed.getInt("members"));
            assertEquals(List.of(), texts(ApiClient.json(api().get("rooms/a-room/messages"))));
        }
    }

    @Test
    void historyPagesBySeqBeforeAndAfter() {
        for (int i = 1; i <= 6; i++) {
            assertEquals(201, api().post("rooms/a-page/messages", "{\"text\":\"m" + i + "\"}").statusCode());
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), seqs(ApiClient.json(api().get("rooms/a-page/messages"))));
        assertEquals(List.of(4L, 5L, 6L), seqs(ApiClient.json(api().get("rooms/a-page/messages?limit=3"))));
        assertEquals(List.of(2L, 3L), seqs(ApiClient.json(api().get("rooms/a-page/messages?before=4&limit=2"))));
        assertEquals(List.of(3L, 4L), seqs(ApiClient.json(api().get("rooms/a-page/messages?after=2&limit=2"))));
        assertEquals(List.of(3L), seqs(ApiClient.json(api().get("rooms/a-page/messages?after=2&before=4"))));
        assertEquals(List.of(), seqs(ApiClient.json(api().get("rooms/a-page/messages?after=6"))));
        assertEquals(List.of("m5", "m6"), texts(ApiClient.json(api().get("rooms/a-page/messages?after=4"))));
    }

    @Test
    void aDirectMessageReachesAnOnlineUserAndWaitsForAnOfflineOne() {
        try (TestClient bob = TestClient.connect(Deployments.chat(base, "name=a-bob"), "chat").takeWelcome()) {
            HttpResponse<String> sent = api().post("users/a-bob/messages", "{\"text\":\"your build passed\"}", "Idempotency-Key", "d-1");
            assertEquals(201, sent.statusCode(), sent::body);
            assertTrue(ApiClient.json(sent).getBoolean("delivered"));
            JsonObject direct = bob.expect("direct");
            assertEquals("api", direct.getString("from"));
            assertEquals("your build passed", direct.getString("text"));
            assertEquals(200, api().post("users/a-bob/messages", "{\"text\":\"your build passed\"}", "Idempotency-Key", "d-1").statusCode());
            bob.expectNothing(QUIET);
        }
        HttpResponse<String> held = api().post("users/a-carol/messages", "{\"text\":\"while you were out\"}");
        assertEquals(201, held.statusCode(), held::body);
        assertFalse(ApiClient.json(held).getBoolean("delivered"));
        try (TestClient carol = TestClient.connect(Deployments.chat(base, "name=a-carol"), "chat").takeWelcome()) {
            assertEquals("while you were out", carol.expect("direct").getString("text"));
        }
    }

    @Test
    void disconnectClosesEveryConnectionOfTheUserWithTheGivenOrDefaultCode() {
        TestClient tab1 = TestClient.connect(Deployments.chat(base, "name=a-dan"), "chat").takeWelcome();
        TestClient tab2 = TestClient.connect(Deployments.chat(base, "name=a-dan"), "chat").takeWelcome();
        try (tab1; tab2; TestClient eve = TestClient.connect(Deployments.chat(base, "name=a-eve"), "chat").takeWelcome()) {
            HttpResponse<String> r = api().post("users/a-dan/disconnect", "");
            assertEquals(200, r.statusCode(), r::body);
            assertEquals(2, ApiClient.json(r).getInt("closed"));
            for (TestClient tab : List.of(tab1, tab2)) {
                TestClient.Closed closed = tab.awaitClose(TestClient.WAIT);
                assertEquals(4000, closed.code());
                assertEquals("disconnected by the server", closed.reason());
            }
            assertProblem(404, "not_found", api().post("users/a-dan/disconnect", ""));
            assertProblem(400, "invalid", api().post("users/a-eve/disconnect", "{\"code\":3000}"));
            assertProblem(400, "invalid", api().post("users/a-eve/disconnect", "{\"reason\":\"" + "r".repeat(124) + "\"}"));
            assertFalse(eve.isClosed());
            assertEquals(200, api().post("users/a-eve/disconnect", "{\"code\":4321,\"reason\":\"maintenance\"}").statusCode());
            TestClient.Closed closed = eve.awaitClose(TestClient.WAIT);
            assertEquals(4321, closed.code());
            assertEquals("maintenance", closed.reason());
        }
    }

    /** Data with every kind of JSON value, numbers with more digits than a double holds. */
    static final String DATA = "{\"kind\":\"move\",\"big\":9007199254740993,\"exp\":1.7976931348623157e308,"
            + "\"deep\":{\"list\":[1,2.50,null,true,false,\"\u00e9\\u00e8\\n\"],\"empty\":{}}}";

    private static JsonObject parse(String json) {
        try (jakarta.json.JsonReader r = jakarta.json.Json.createReader(new java.io.StringReader(json))) {
            return r.readObject();
        }
    }

    @Test
    void dataRoundTripsExactlyToMembersHistoryAndDirectRecipients() {
        JsonObject data = parse(DATA);
        try (TestClient alice = TestClient.inRoom(base, "a-dalice", "a-data");
             TestClient bob = TestClient.connect(Deployments.chat(base, "name=a-dbob"), "chat").takeWelcome()) {
            HttpResponse<String> sent = api().post("rooms/a-data/messages", "{\"text\":\"moved\",\"data\":" + DATA + "}",
                    "Idempotency-Key", "dk-1");
            assertEquals(201, sent.statusCode(), sent::body);
            assertEquals(data, ApiClient.json(sent).getJsonObject("data"));
            JsonObject live = alice.expect("message");
            assertEquals("moved", live.getString("text"));
            assertEquals(data, live.getJsonObject("data"));

            HttpResponse<String> only = api().post("rooms/a-data/messages", "{\"data\":{\"x\":1}}");
            assertEquals(201, only.statusCode(), only::body);
            assertEquals("", ApiClient.json(only).getString("text"));
            JsonObject bare = alice.expect("message");
            assertEquals("", bare.getString("text"));
            assertEquals(parse("{\"x\":1}"), bare.getJsonObject("data"));

            List<JsonObject> history = ApiClient.json(api().get("rooms/a-data/messages")).getJsonArray("messages")
                    .getValuesAs(JsonObject.class);
            assertEquals(List.of(data, parse("{\"x\":1}")), history.stream().map(m -> m.getJsonObject("data")).toList());
            HttpResponse<String> replay = api().post("rooms/a-data/messages", "{\"text\":\"moved\",\"data\":" + DATA + "}",
                    "Idempotency-Key", "dk-1");
            assertEquals(200, replay.statusCode(), replay::body);
            assertEquals(data, ApiClient.json(replay).getJsonObject("data"));

            HttpResponse<String> direct = api().post("users/a-dbob/messages", "{\"data\":" + DATA + "}");
            assertEquals(201, direct.statusCode(), direct::body);
            assertEquals(data, ApiClient.json(direct).getJsonObject("data"));
            JsonObject received = bob.expect("direct");
            assertEquals("", received.getString("text"));
            assertEquals(data, received.getJsonObject("data"));
        }
        try (TestClient late = TestClient.connect(Deployments.chat(base, "name=a-dlate"), "chat").takeWelcome()) {
            List<JsonObject> history = late.join("a-data").getJsonArray("history").getValuesAs(JsonObject.class);
            assertEquals(List.of(data, parse("{\"x\":1}")), history.stream().map(m -> m.getJsonObject("data")).toList());
        }
    }

    @Test
    void overSizedDataIs413AndDataThatIsNoObjectIs400AndNothingIsStored() {
        String big = "{\"pad\":\"" + "x".repeat(DATA_BYTES - 9) + "\"}";
        String fits = "{\"pad\":\"" + "x".repeat(DATA_BYTES - 10) + "\"}";
        try (TestClient alice = TestClient.inRoom(base, "a-balice", "a-bad-data")) {
            assertProblem(413, "too_long", api().post("rooms/a-bad-data/messages", "{\"text\":\"t\",\"data\":" + big + "}"));
            assertProblem(413, "too_long", api().post("users/a-balice/messages", "{\"data\":" + big + "}"));
            for (String bad : new String[]{"\"text\"", "[1,2]", "42", "true"}) {
                assertProblem(400, "invalid", api().post("rooms/a-bad-data/messages", "{\"text\":\"t\",\"data\":" + bad + "}"));
                assertProblem(400, "invalid", api().post("users/a-balice/messages", "{\"data\":" + bad + "}"));
            }
            assertProblem(400, "invalid", api().post("rooms/a-bad-data/messages", "{\"data\":null}"));
            alice.send("{\"type\":\"ping\",\"ref\":\"barrier\"}");
            assertEquals("pong", alice.next().getString("type"), "a refused message reached the room");
            assertEquals(List.of(), texts(ApiClient.json(api().get("rooms/a-bad-data/messages"))));
            assertEquals(201, api().post("rooms/a-bad-data/messages", "{\"data\":" + fits + "}").statusCode());
        }
    }

    @Test
    void aKeyReusedForOtherDataIsAConflict() {
        assertEquals(201, api().post("rooms/a-409d/messages", "{\"text\":\"t\",\"data\":{\"v\":1}}", "Idempotency-Key", "k").statusCode());
        assertProblem(409, "conflict", api().post("rooms/a-409d/messages", "{\"text\":\"t\",\"data\":{\"v\":2}}", "Idempotency-Key", "k"));
        assertProblem(409, "conflict", api().post("rooms/a-409d/messages", "{\"text\":\"t\"}", "Idempotency-Key", "k"));
        assertEquals(200, api().post("rooms/a-409d/messages", "{\"text\":\"t\",\"data\":{\"v\":1}}", "Idempotency-Key", "k").statusCode());
        assertEquals(201, api().post("users/a-409u/messages", "{\"data\":{\"v\":1}}", "Idempotency-Key", "k").statusCode());
        assertProblem(409, "conflict", api().post("users/a-409u/messages", "{\"data\":{\"v\":2}}", "Idempotency-Key", "k"));
        List<JsonObject> history = ApiClient.json(api().get("rooms/a-409d/messages")).getJsonArray("messages").getValuesAs(JsonObject.class);
        assertEquals(List.of(parse("{\"v\":1}")), history.stream().map(m -> m.getJsonObject("data")).toList());
    }

    @Test
    void aKeyMaySendAsTheUsersItIsGrantedAndOnlyThose() {
        ApiClient speaker = ApiClient.withKey(base, SPEAKER);
        try (TestClient alice = TestClient.inRoom(base, "a-falice", "a-from");
             TestClient bob = TestClient.connect(Deployments.chat(base, "name=a-fbob"), "chat").takeWelcome()) {
            HttpResponse<String> asSam = speaker.post("rooms/a-from/messages", "{\"text\":\"hi from sam\",\"from\":\"a-sam\"}");
            assertEquals(201, asSam.statusCode(), asSam::body);
            assertEquals("a-sam", ApiClient.json(asSam).getString("from"));
            JsonObject live = alice.expect("message");
            assertEquals("a-sam", live.getString("from"));
            assertEquals("hi from sam", live.getString("text"));

            HttpResponse<String> direct = speaker.post("users/a-fbob/messages", "{\"text\":\"psst\",\"from\":\"a-tess\"}");
            assertEquals(201, direct.statusCode(), direct::body);
            assertEquals("a-tess", bob.expect("direct").getString("from"));
            assertEquals(201, speaker.post("rooms/a-from/messages", "{\"text\":\"as the api\",\"from\":\"api\"}").statusCode());
            assertEquals("api", alice.expect("message").getString("from"));
            assertEquals(201, ApiClient.withKey(base, ANYONE).post("rooms/a-from/messages",
                    "{\"text\":\"anyone\",\"from\":\"a-zed\"}").statusCode());
            assertEquals("a-zed", alice.expect("message").getString("from"));

            assertProblem(403, "forbidden", speaker.post("rooms/a-from/messages", "{\"text\":\"spoof\",\"from\":\"a-falice\"}"));
            assertProblem(403, "forbidden", api().post("rooms/a-from/messages", "{\"text\":\"spoof\",\"from\":\"a-sam\"}"));
            assertProblem(403, "forbidden", api().post("users/a-fbob/messages", "{\"text\":\"spoof\",\"from\":\"a-sam\"}"));
            assertProblem(400, "invalid", speaker.post("rooms/a-from/messages", "{\"text\":\"x\",\"from\":\"no spaces\"}"));
            assertProblem(400, "invalid", speaker.post("rooms/a-from/messages", "{\"text\":\"x\",\"from\":7}"));
            alice.expectNothing(QUIET);
            bob.expectNothing(QUIET);
            assertEquals(List.of("hi from sam", "as the api", "anyone"), texts(ApiClient.json(api().get("rooms/a-from/messages"))));
        }
    }

    @Test
    void aKeyCallingFasterThanItsRateGets429AndOtherKeysDoNot() {
        ApiClient limited = ApiClient.withKey(base, LIMITED);
        HttpResponse<String> refused = null;
        for (int i = 0; i < 200 && refused == null; i++) {
            HttpResponse<String> r = limited.get("rooms");
            if (r.statusCode() != 200) {
                refused = r;
            }
        }
        assertNotNull(refused, "200 calls at once were never limited");
        assertProblem(429, "rate_limited", refused);
        assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
        assertEquals(200, ApiClient.withKey(base, ROTATED).get("rooms").statusCode());
    }
}
