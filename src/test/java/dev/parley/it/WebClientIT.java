package dev.parley.it;

import dev.parley.it.support.Browser;
import dev.parley.it.support.ChatPage.Shown;
import dev.parley.it.support.ChatPage;
import dev.parley.it.support.Deployments;
import dev.parley.it.support.TcpProxy;
import dev.parley.it.support.TestClient;
import dev.parley.it.support.TwoBrowsers;
import dev.parley.testing.Needs;
import dev.parley.testing.Prerequisite;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chat page and its client library in a real browser (headless Chromium) against the deployed WAR:
 * what two people chatting see, markup shown as text, history after a reload and by paging, direct
 * messages, keyboard-only use, both layouts, and what a page shows when its connection breaks: dropped,
 * silently dead, or dropped after a message went out but before its ack came back.
 * Pages that must lose their connection load through a {@link TcpProxy} on loopback that the test breaks;
 * the others talk to the server directly. Two browsers serve all tests; each test opens fresh tabs and
 * uses its own user and room names.
 */
@Needs(Prerequisite.CHROMIUM)
@ExtendWith(ArquillianExtension.class)
@Timeout(120)
class WebClientIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    /** A page whose connection a test cut logs its failed reconnect attempts: expected. */
    @RegisterExtension
    static final TwoBrowsers BROWSERS = new TwoBrowsers("WebSocket connection to");

    private Browser first;
    private Browser second;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley();
    }

    @ArquillianResource
    URL base;

    @BeforeEach
    void browsers() {
        first = BROWSERS.first();
        second = BROWSERS.second();
    }

    @AfterEach
    void desktopSizeAgain() {
        first.resize(1280, 800);
        second.resize(1280, 800);
    }

    @Test
    void twoPagesChatInARoomAndSeePresenceAndTyping() throws IOException {
        // Plain names (this server is new and no other test uses them): this test takes the README's screenshot.
        String alice = "alice";
        String bob = "bob";
        String room = "design";
        ChatPage a = ChatPage.open(first, page()).signIn(alice).join(room);
        ChatPage b = ChatPage.open(second, page()).signIn(bob).join(room);

        a.await("bob among the members", () -> a.members(room).equals(List.of(alice, bob)));
        assertEquals(List.of(alice, bob), b.members(room));

        a.send("Morning! Have you seen the new mockups?");
        b.awaitMessages("room:" + room, "alice's message", m -> m.size() == 1);
        b.send("Yes, the layout works on my phone too.");
        a.send("Great, let's ship it.");
        List<String> conversation = List.of("Morning! Have you seen the new mockups?",
                "Yes, the layout works on my phone too.", "Great, let's ship it.");
        for (ChatPage p : List.of(a, b)) {
            List<Shown> shown = p.awaitMessages("room:" + room, "the whole conversation", m -> m.size() == 3
                    && m.stream().noneMatch(Shown::pending));
            assertEquals(conversation, shown.stream().map(Shown::text).toList());
            assertEquals(List.of(alice, bob, alice), shown.stream().map(Shown::from).toList());
            assertEquals(List.of(1L, 2L, 3L), shown.stream().map(Shown::seq).toList());
        }

        assertTrue(b.roomDirectory().contains(room + " (2)"), "the room directory lists the room and its two members");

        b.type("Shipping now");
        a.await("bob typing", () -> a.typingLine().equals(bob + " is typing…"));
        screenshots(a);

        b.browser().driver().findElement(By.id("leave-room")).click();
        a.await("bob gone from the members", () -> a.members(room).equals(List.of(alice)));
    }

    @Test
    void thePageTakesTheNameSyntaxAndTheTextLimitFromTheServer() {
        ChatPage p = ChatPage.open(first, page());
        var driver = p.browser().driver();
        p.await("the name pattern from protocol.json",
                () -> "[A-Za-z0-9_.\\-]{1,32}".equals(driver.findElement(By.id("login-name")).getDomAttribute("pattern")));
        driver.findElement(By.id("login-name")).sendKeys("not a name!", Keys.ENTER);
        p.await("the name refused before connecting",
                () -> !driver.findElement(By.id("login-error")).getText().isEmpty());
        assertEquals("idle", p.state());
        driver.findElement(By.id("login-name")).clear();
        p.signIn(name("limits"));
        assertEquals("4000", driver.findElement(By.id("composer-count")).getDomAttribute("data-limit"));
        assertEquals("-1", driver.findElement(By.id("composer-text")).getDomProperty("maxLength"), "a paste is never cut");
    }

    @Test
    void markupTypedByAUserShowsAsText() {
        String alice = name("alice");
        String bob = name("bob");
        String room = name("xss");
        ChatPage a = ChatPage.open(first, page()).signIn(alice).join(room);
        ChatPage b = ChatPage.open(second, page()).signIn(bob).join(room);
        List<String> hostile = List.of("<img src=x onerror=alert(1)>",
                "<script>alert(2)</script><b>bold?</b> &amp; &lt;",
                "<a href=\"javascript:alert(3)\">click</a>");
        for (String text : hostile) {
            a.send(text);
        }
        for (ChatPage p : List.of(a, b)) {
            List<Shown> shown = p.awaitMessages("room:" + room, "three messages", m -> m.size() == 3
                    && m.stream().noneMatch(Shown::pending));
            assertEquals(hostile, shown.stream().map(Shown::text).toList());
            assertTrue(p.browser().driver().findElements(By.cssSelector("#logs img, #logs script, #logs b, #logs a"))
                    .isEmpty(), "no element made from a message");
            assertThrows(NoAlertPresentException.class, () -> p.browser().driver().switchTo().alert());
            String visible = p.browser().driver().findElement(By.cssSelector("#logs ol.log[data-key='room:" + room + "']"))
                    .getText();
            assertTrue(visible.contains("<img src=x onerror=alert(1)>"), visible);
        }
    }

    @Test
    void aReloadedPageShowsTheRoomsHistory() {
        String alice = name("alice");
        String room = name("notes");
        ChatPage a = ChatPage.open(first, page()).signIn(alice).join(room);
        a.send("first note");
        a.send("second note");
        try (TestClient carol = TestClient.inRoom(base, name("carol"), room)) {
            post(carol, room, "a note from carol", "c-1");
        }
        a.awaitMessages("room:" + room, "three notes", m -> m.size() == 3 && m.stream().noneMatch(Shown::pending));
        String before = a.session();

        a.reload();
        a.awaitState("open");
        assertNotEquals(before, a.session(), "a new connection");
        assertEquals(alice, a.user(), "the page remembers the name");
        List<Shown> shown = a.awaitMessages("room:" + room, "the history", m -> m.size() == 3);
        assertEquals(List.of("first note", "second note", "a note from carol"), shown.stream().map(Shown::text).toList());
        assertEquals("room:" + room, a.activeConversation(), "the page reopens the room it showed");
        assertFalse(a.loadOlderShown(), "nothing older than the first message");
    }

    @Test
    void olderMessagesArePagedInOnRequest() {
        String room = name("archive");
        try (TestClient dave = TestClient.inRoom(base, name("dave"), room)) {
            for (int i = 1; i <= 70; i++) {
                post(dave, room, "archived " + i, "a-" + i);
            }
        }
        ChatPage a = ChatPage.open(first, page()).signIn(name("alice")).join(room);
        List<Shown> newest = a.awaitMessages("room:" + room, "the newest 50", m -> m.size() == 50);
        assertEquals("archived 21", newest.get(0).text());
        assertTrue(a.loadOlderShown());

        a.loadOlder(room);
        List<Shown> all = a.awaitMessages("room:" + room, "all 70", m -> m.size() == 70);
        assertEquals(IntStream.rangeClosed(1, 70).mapToObj(i -> "archived " + i).toList(),
                all.stream().map(Shown::text).toList());
        a.await("the button gone once everything is shown", () -> !a.loadOlderShown());
    }

    @Test
    void directMessagesReachTheOtherPage() {
        String alice = name("alice");
        String bob = name("bob");
        String room = name("team");
        ChatPage a = ChatPage.open(first, page()).signIn(alice).join(room);
        ChatPage b = ChatPage.open(second, page()).signIn(bob).join(room);
        a.await("bob among the members", () -> a.members(room).contains(bob));

        a.writeTo(bob).send("psst, lunch at noon?");
        a.awaitMessages("dm:" + bob, "the sent message", m -> m.size() == 1 && !m.get(0).pending());
        b.await("a conversation with alice", () -> !b.browser().driver()
                .findElements(By.cssSelector("button[data-key='dm:" + alice + "']")).isEmpty());
        b.await("one unread", () -> b.unread("dm:" + alice) == 1);
        b.openConversation("dm:" + alice);
        assertEquals(0, b.unread("dm:" + alice));
        assertEquals(List.of("psst, lunch at noon?"), b.messages("dm:" + alice).stream().map(Shown::text).toList());

        b.send("Sure!");
        List<Shown> thread = a.awaitMessages("dm:" + bob, "the reply", m -> m.size() == 2);
        assertEquals(List.of(alice, bob), thread.stream().map(Shown::from).toList());
        assertEquals(List.of("psst, lunch at noon?", "Sure!"), thread.stream().map(Shown::text).toList());
    }

    @Test
    void everythingWorksFromTheKeyboardAlone() {
        String room = name("keys");
        ChatPage a = ChatPage.open(first, page());
        assertEquals("login-name", a.focused(), "the name field has the focus on arrival");
        String alice = name("alice");
        a.press(alice, Keys.ENTER).awaitState("open");
        assertEquals("composer-text", a.focused(), "the message box has the focus once signed in");

        for (int i = 0; i < 30 && !"join-room".equals(a.focused()); i++) {
            a.pressWithShift(Keys.TAB);
        }
        assertEquals("join-room", a.focused(), "the join field is reachable with Shift+Tab");
        a.press(room, Keys.ENTER);
        a.await("the room joined", () -> a.members(room).contains(alice));
        assertEquals("composer-text", a.focused(), "the message box has the focus in the new room");
        a.press("typed").pressWithShift(Keys.ENTER).press("on two lines", Keys.ENTER);
        List<Shown> shown = a.awaitMessages("room:" + room, "the message", m -> m.size() == 1 && !m.get(0).pending());
        assertEquals("typed\non two lines", shown.get(0).text());

        for (int i = 0; i < 30 && !"room:lobby".equals(focusedKey(a)); i++) {
            a.pressWithShift(Keys.TAB);
        }
        assertEquals("room:lobby", focusedKey(a), "the room list is reachable with Shift+Tab");
        a.press(Keys.ENTER);
        a.await("the lobby shown", () -> "room:lobby".equals(a.activeConversation()));
    }

    @Test
    void thePageFitsA320PixelScreen() {
        String room = name("narrow");
        ChatPage a = ChatPage.open(first, page()).signIn(name("alice")).join(room);
        a.send("A long line of text that has to wrap on a small phone screen without any sideways scrolling at all.");
        a.awaitMessages("room:" + room, "the message", m -> m.size() == 1 && !m.get(0).pending());
        first.resize(320, 720);
        a.await("a 320 pixel viewport", () -> ((Number) first.script("return window.innerWidth")).intValue() <= 320);
        long overflow = ((Number) first.script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth")).longValue();
        assertEquals(0, overflow, "no horizontal scrolling at 320 px");
        // On a phone the join form and the members open on request.
        first.driver().findElement(By.id("tools-toggle")).click();
        first.driver().findElement(By.id("members-toggle")).click();
        for (String id : List.of("composer-text", "join-room", "member-list")) {
            assertTrue(first.driver().findElement(By.id(id)).getRect().getWidth() > 0, id + " is laid out");
            long right = ((Number) first.script("return document.getElementById(arguments[0]).getBoundingClientRect().right",
                    id)).longValue();
            assertTrue(right <= 320, id + " ends at " + right);
        }
    }

    // ---------------------------------------------------------------- broken connections

    @Test
    void aDroppedPageReconnectsAndShowsWhatItMissedOnceInOrder() {
        String room = name("resilience");
        try (TcpProxy proxy = TcpProxy.to(base.getPort());
             TestClient sender = TestClient.inRoom(base, name("sender"), room)) {
            ChatPage a = ChatPage.open(first, page(proxy)).signIn(name("alice")).join(room);
            post(sender, room, "before the drop", "b-0");
            a.awaitMessages("room:" + room, "the first message", m -> m.size() == 1);

            proxy.refuse(true);
            proxy.sever();
            a.awaitState("reconnecting");
            assertTrue(a.statusText().startsWith("Connection lost. Reconnecting in"), a.statusText());
            for (int i = 1; i <= 20; i++) {
                post(sender, room, "missed " + i, "b-" + i);
            }
            a.send("typed while offline");
            List<Shown> waiting = a.awaitMessages("room:" + room, "the unsent message", m -> m.size() == 2);
            assertTrue(waiting.get(1).pending());
            assertEquals("Waiting for the connection…", waiting.get(1).delivery());

            proxy.refuse(false);
            a.awaitState("open", Duration.ofSeconds(45));
            assertEquals("Connected", a.statusText());
            a.awaitMessages("room:" + room, "the missed messages and the sent one", m -> m.size() == 22
                    && m.stream().noneMatch(Shown::pending));
            List<JsonObject> seenBySender = new ArrayList<>();
            JsonObject offline = sender.await(f -> "message".equals(f.getString("type", null))
                    && "typed while offline".equals(f.getString("text", null)), WAIT, seenBySender);
            // A marker after everything: once the page shows it, nothing it shows can still change.
            List<JsonObject> afterOffline = new ArrayList<>();
            post(sender, room, "marker", "b-marker", afterOffline);
            List<Shown> shown = a.awaitMessages("room:" + room, "the marker", m -> m.size() == 23);

            List<String> expected = new ArrayList<>();
            expected.add("before the drop");
            IntStream.rangeClosed(1, 20).forEach(i -> expected.add("missed " + i));
            expected.add("typed while offline");
            expected.add("marker");
            assertEquals(expected, shown.stream().map(Shown::text).toList(), "every message once, in order");
            assertEquals(seqs(1, 23), shown.stream().map(Shown::seq).toList());
            assertEquals(0, afterOffline.stream().filter(f -> "typed while offline".equals(f.getString("text", null))).count(),
                    "the message typed offline reached the others once");
            assertEquals(22L, offline.getJsonNumber("seq").longValue());
            assertEquals(List.of("typed while offline"), storedTexts(sender, room, "typed while offline"));
        }
    }

    @Test
    void aMessageWhoseAckWasLostIsStoredAndShownOnce() {
        String room = name("inflight");
        try (TcpProxy proxy = TcpProxy.to(base.getPort());
             TestClient observer = TestClient.inRoom(base, name("observer"), room)) {
            ChatPage a = ChatPage.open(first, page(proxy)).signIn(name("alice")).join(room);
            String before = a.session();

            proxy.holdReplies();
            a.send("sent just before the drop");
            JsonObject stored = observer.await(f -> "message".equals(f.getString("type", null)), WAIT, null);
            assertEquals("sent just before the drop", stored.getString("text"));
            List<Shown> pending = a.messages("room:" + room);
            assertTrue(pending.size() == 1 && pending.get(0).pending(), "no ack reached the page: " + pending);

            proxy.sever();
            a.await("a new connection", Duration.ofSeconds(45), () -> "open".equals(a.state())
                    && a.session() != null && !a.session().equals(before));
            List<Shown> shown = a.awaitMessages("room:" + room, "the message confirmed",
                    m -> m.size() == 1 && !m.get(0).pending());
            assertEquals(stored.getJsonNumber("seq").longValue(), shown.get(0).seq());

            post(observer, room, "marker", "o-1");
            a.awaitMessages("room:" + room, "the marker", m -> m.size() == 2);
            assertEquals(List.of("sent just before the drop", "marker"), a.texts(room));
            assertEquals(List.of("sent just before the drop"), storedTexts(observer, room, "sent just before the drop"),
                    "stored once although the page sent it twice");
        }
    }

    @Test
    void aSilentlyDeadConnectionIsNoticedWithin30Seconds() {
        String room = name("heartbeat");
        try (TcpProxy proxy = TcpProxy.to(base.getPort());
             TestClient sender = TestClient.inRoom(base, name("sender"), room)) {
            ChatPage a = ChatPage.open(first, page(proxy)).signIn(name("alice")).join(room);
            String before = a.session();

            long stalledAt = System.nanoTime();
            proxy.stall();
            a.await("a new connection", Duration.ofSeconds(40), () -> "open".equals(a.state())
                    && a.session() != null && !a.session().equals(before));
            Duration noticed = Duration.ofNanos(System.nanoTime() - stalledAt);
            assertTrue(noticed.compareTo(Duration.ofSeconds(30)) < 0, "took " + noticed);

            post(sender, room, "after the stall", "s-1");
            assertEquals(List.of("after the stall"),
                    a.awaitMessages("room:" + room, "a message", m -> m.size() == 1).stream().map(Shown::text).toList());
        }
    }

    // ---------------------------------------------------------------- helpers

    private URI page() {
        return Deployments.http(base, "");
    }

    private URI page(TcpProxy proxy) {
        return URI.create("http://127.0.0.1:" + proxy.port() + base.getPath());
    }

    private static String name(String prefix) {
        return prefix + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
    }

    /** Posts a message and waits for its ack. */
    private static void post(TestClient c, String room, String text, String ref) {
        post(c, room, text, ref, null);
    }

    /** Posts a message and waits for its ack, keeping the frames received before it in {@code before}. */
    private static void post(TestClient c, String room, String text, String ref, List<JsonObject> before) {
        c.send(Json.createObjectBuilder().add("type", "message").add("room", room).add("text", text).add("ref", ref)
                .build().toString());
        c.await(f -> "ack".equals(f.getString("type", null)) && ref.equals(f.getString("ref", null)), WAIT, before);
    }

    /** The texts equal to {@code text} among the room's newest 100 stored messages. */
    private static List<String> storedTexts(TestClient c, String room, String text) {
        c.send(Json.createObjectBuilder().add("type", "history").add("room", room).add("limit", 100).add("ref", "h")
                .build().toString());
        JsonObject history = c.await(f -> "history".equals(f.getString("type", null)), WAIT, null);
        return history.getJsonArray("messages").getValuesAs(JsonObject.class).stream()
                .map(m -> m.getString("text")).filter(text::equals).toList();
    }

    private static List<Long> seqs(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static String focusedKey(ChatPage page) {
        return page.browser().driver().switchTo().activeElement().getAttribute("data-key");
    }

    /** Desktop and 320 px screenshots of a page in a conversation, under target/screenshots. */
    private static void screenshots(ChatPage page) throws IOException {
        Browser b = page.browser();
        Path desktop = b.screenshot("parley-desktop");
        b.resize(320, 720);
        page.await("the narrow layout", () -> ((Number) b.script("return window.innerWidth")).intValue() <= 320);
        b.script("document.querySelector('.conversation').scrollIntoView()");
        Path narrow = b.screenshot("parley-320px");
        b.resize(1280, 800);
        assertTrue(Files.size(desktop) > 10_000 && Files.size(narrow) > 5_000, "screenshots with content");
    }
}
