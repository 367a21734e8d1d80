package dev.parley.it;

import dev.parley.it.support.Axe;
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
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chat page as people use it all day, in headless Chromium against the deployed WAR: no accessibility
 * violation that axe-core (run inside the page) finds in any state, right-to-left text, safe links, dates, the
 * character counter, unread counts in the title and favicon, the "new messages" marker, the phone layout, dark
 * mode, "Change name", and presence in direct messages. Two browsers serve all tests; each test uses its own names.
 */
@Needs({Prerequisite.CHROMIUM, Prerequisite.NPM})
@ExtendWith(ArquillianExtension.class)
@Timeout(180)
class ChatPageIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    /** A page whose connection a test cut logs its failed reconnect attempts: expected. */
    @RegisterExtension
    static final TwoBrowsers BROWSERS = new TwoBrowsers("WebSocket connection to");

    private Browser first;
    private Browser second;
    private static Axe axe;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley();
    }

    @ArquillianResource
    URL base;

    @BeforeAll
    static void installAxe() {
        axe = Axe.install();
    }

    @BeforeEach
    void browsers() {
        first = BROWSERS.first();
        second = BROWSERS.second();
    }

    @AfterEach
    void lightDesktopAgain() {
        for (Browser b : List.of(first, second)) {
            b.colorScheme("light");
            b.resize(1280, 800);
        }
    }

    @Test
    void axeFindsNoViolationInAnyStateOfThePage() {
        // Plain names (no other test here uses them): this test takes the README's screenshots of the new states.
        String alice = "maya";
        String bob = "omar";
        String room = "launch";
        try (TcpProxy proxy = TcpProxy.to(base.getPort())) {
            ChatPage a = ChatPage.open(first, page(proxy));
            assertNoViolations(a, "sign-in");

            a.signIn(alice).join(room);
            ChatPage b = ChatPage.open(second, page()).signIn(bob).join(room);
            a.send("Morning! The launch notes are at https://example.org/launch (section 2).");
            b.send("שלום! Reading them now.");
            b.send("Looks good. Can we ship on Thursday?");
            a.awaitMessages("room:" + room, "three messages", m -> m.size() == 3 && m.stream().noneMatch(Shown::pending));
            assertNoViolations(a, "a room with messages");

            a.await("bob among the members", () -> a.members(room).contains(bob));
            a.writeTo(bob).send("A word in private about Thursday?");
            a.awaitMessages("dm:" + bob, "the direct message", m -> m.size() == 1 && !m.get(0).pending());
            b.await("one unread from alice", () -> b.unread("dm:" + alice) == 1);
            assertNoViolations(a, "a direct conversation open");
            assertNoViolations(b, "an unread badge");
            a.browser().screenshot("parley-direct");
            b.browser().screenshot("parley-unread");

            proxy.refuse(true);
            proxy.sever();
            a.awaitState("reconnecting");
            a.send("typed while offline");
            a.awaitMessages("dm:" + bob, "the pending message", m -> m.size() == 2 && m.get(1).pending());
            assertEquals("Waiting for the connection…", a.messages("dm:" + bob).get(1).delivery());
            assertNoViolations(a, "an offline pending message");
            a.browser().screenshot("parley-offline");
            proxy.refuse(false);
            a.awaitState("open", Duration.ofSeconds(45));

            a.openConversation("room:" + room);
            first.viewport(320, 640);
            assertNoViolations(a, "320 px");
            first.screenshot("parley-phone");
            first.driver().findElement(By.id("members-toggle")).click();
            first.driver().findElement(By.id("tools-toggle")).click();
            assertNoViolations(a, "320 px with the members and the join form open");

            first.colorScheme("dark");
            a.await("dark colours", () -> !"rgb(255, 255, 255)".equals(first.script(
                    "return getComputedStyle(document.querySelector('.conversation')).backgroundColor")));
            assertNoViolations(a, "dark mode at 320 px");
            first.driver().findElement(By.id("members-toggle")).click();
            first.driver().findElement(By.id("tools-toggle")).click();
            first.screenshot("parley-phone-dark");
            first.resize(1280, 800);
            assertNoViolations(a, "dark mode");
            first.screenshot("parley-dark");
            first.driver().findElement(By.id("sign-out")).click();
            assertNoViolations(a, "the change-name dialog");
        }
    }

    @Test
    void theFocusRingStandsOutFromTheBackgroundInBothSchemes() {
        ChatPage a = ChatPage.open(first, page());
        for (String scheme : List.of("light", "dark")) {
            first.colorScheme(scheme);
            first.script("document.getElementById('login-name').focus()");
            a.press(Keys.TAB);
            a.await("the Enter button focused from the keyboard", () -> (Boolean) first.script(
                    "return document.activeElement.matches('#login-form button:focus-visible')"));
            double ratio = ((Number) first.script("""
                    const luminance = (c) => {
                        const [r, g, b] = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(v => v / 255)
                            .map(v => v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
                        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
                    };
                    const ring = luminance(getComputedStyle(document.activeElement).outlineColor);
                    const page = luminance(getComputedStyle(document.documentElement).backgroundColor);
                    return (Math.max(ring, page) + 0.05) / (Math.min(ring, page) + 0.05);
                    """)).doubleValue();
            assertTrue(ratio >= 3, scheme + ": focus ring contrast " + ratio + ":1");
        }
    }

    @Test
    void rightToLeftTextRunsRightToLeftAndOnlyWebAddressesBecomeLinks() {
        String room = name("text");
        ChatPage a = ChatPage.open(first, page()).signIn(name("alice")).join(room);
        List<String> texts = List.of("שלום עולם, מה שלומך?", "مرحبا بالعالم", "plain English",
                "see https://example.org/a?b=1&c=2#d, then http://127.0.0.1:9/x.",
                "javascript:alert(1) and JAVASCRIPT:alert(2) and data:text/html,hi and <a href=\"javascript:alert(3)\">x</a>");
        texts.forEach(a::send);
        a.awaitMessages("room:" + room, "five messages", m -> m.size() == 5 && m.stream().noneMatch(Shown::pending));
        assertEquals(texts, a.texts(room), "the texts shown as written");

        @SuppressWarnings("unchecked")
        List<String> directions = (List<String>) first.script(
                "return [...document.querySelectorAll(`#logs ol.log[data-key='room:${arguments[0]}'] .text`)]"
                        + ".map(p => getComputedStyle(p).direction);", room);
        assertEquals(List.of("rtl", "rtl", "ltr", "ltr", "ltr"), directions);

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> links = (List<Map<String, Object>>) first.script(
                "return [...document.querySelectorAll('#logs a')].map(a => ({href: a.getAttribute('href'),"
                        + " text: a.textContent, rel: a.rel, target: a.target}));");
        assertEquals(List.of(
                Map.of("href", "https://example.org/a?b=1&c=2#d", "text", "https://example.org/a?b=1&c=2#d",
                        "rel", "noopener noreferrer", "target", "_blank"),
                Map.of("href", "http://127.0.0.1:9/x", "text", "http://127.0.0.1:9/x",
                        "rel", "noopener noreferrer", "target", "_blank")), links);

        WebElement time = first.driver().findElement(By.cssSelector("#logs ol.log[data-key='room:" + room + "'] time"));
        assertTrue(time.getText().startsWith("Today "), time.getText());
        String year = String.valueOf(java.time.Year.now().getValue());
        assertTrue(time.getDomAttribute("title").contains(year), "full date on hover: " + time.getDomAttribute("title"));
        assertEquals("auto", first.script("return document.getElementById('composer-text').dir"));
    }

    @Test
    void theCounterCountsAsTheServerDoesAndALongPasteIsNeverCut() {
        String room = name("long");
        ChatPage a = ChatPage.open(first, page()).signIn(name("alice")).join(room);
        // 4,000 emoji: 4,000 characters for the server, 8,000 UTF-16 units for the browser.
        String emoji = "\uD83D\uDC4D".repeat(4000);
        paste(a, emoji);
        assertEquals(8000L, first.script("return document.getElementById('composer-text').value.length"), "nothing cut");
        WebElement counter = first.driver().findElement(By.id("composer-count"));
        assertEquals("0 characters left", counter.getText());
        a.press(Keys.ENTER);
        List<Shown> sent = a.awaitMessages("room:" + room, "the long message", m -> m.size() == 1 && !m.get(0).pending());
        assertEquals(emoji, sent.get(0).text(), "accepted by the server whole");
        assertFalse(counter.isDisplayed(), "no counter for an empty box");

        paste(a, "x".repeat(4010));
        assertEquals("10 characters too many", counter.getText());
        a.press(Keys.ENTER);
        a.await("the refusal", () -> first.driver().findElement(By.id("composer-error")).getText().startsWith("Too long by 10"));
        assertEquals(4010L, first.script("return document.getElementById('composer-text').value.length"), "kept, not cut");
        assertEquals(1, a.messages("room:" + room).size(), "not sent");
        a.press(Keys.BACK_SPACE);
        a.press(Keys.BACK_SPACE);
        assertEquals("8 characters too many", counter.getText());
    }

    @Test
    void unreadMessagesShowInTheTitleAndFaviconAndScrolledUpReadersGetAMarker() {
        String alice = name("alice");
        String room = name("busy");
        String other = name("quiet");
        try (TestClient carol = TestClient.inRoom(base, name("carol"), room)) {
            ChatPage a = ChatPage.open(first, page()).signIn(alice).join(room).join(other);
            assertEquals("Parley", first.driver().getTitle());
            post(carol, room, "one", "u-1");
            post(carol, room, "two", "u-2");
            a.await("two unread in the title", () -> "(2) Parley".equals(first.driver().getTitle()));
            assertEquals(2, a.unread("room:" + room));
            String favicon = first.driver().findElement(By.id("favicon")).getDomAttribute("href");
            assertTrue(favicon.startsWith("data:image/svg+xml,") && favicon.contains("%3E2%3C%2Ftext%3E"), favicon);

            a.openConversation("room:" + room);
            a.await("read once shown", () -> "Parley".equals(first.driver().getTitle()) && a.unread("room:" + room) == 0);

            for (int i = 1; i <= 40; i++) {
                post(carol, room, "filler " + i + " with enough words to take some room on the screen", "f-" + i);
            }
            a.awaitMessages("room:" + room, "the fillers", m -> m.size() == 42);
            a.await("at the newest", () -> atBottom(first));
            first.script("document.getElementById('logs').scrollTop = 0");
            post(carol, room, "sent while alice reads old ones", "u-3");
            a.await("the new-messages button", () -> first.driver().findElement(By.id("new-messages")).isDisplayed());
            assertEquals("New messages", first.driver().findElement(By.cssSelector(".new-marker")).getText());
            assertEquals("sent while alice reads old ones", first.script(
                    "return document.querySelector('.new-marker').nextElementSibling.querySelector('.text').textContent"));
            assertFalse(atBottom(first), "a reader scrolled up is not pulled down");
            assertEquals(1, a.unread("room:" + room));

            first.driver().findElement(By.id("new-messages")).click();
            a.await("the button gone and the count cleared", () -> !first.driver().findElement(By.id("new-messages")).isDisplayed()
                    && a.unread("room:" + room) == 0);

            first.script("document.getElementById('logs').scrollTop = 0");
            a.send("my own reply");
            a.awaitMessages("room:" + room, "the reply", m -> m.size() == 44 && !m.get(43).pending());
            a.await("my own message in view", () -> atBottom(first));
        }
    }

    @Test
    void aReloadKeepsTheDirectConversationsAndReopensTheOneThatWasShown() {
        String alice = name("alice");
        String bob = name("bob");
        String room = name("met");
        ChatPage a = ChatPage.open(first, page()).signIn(alice).join(room);
        ChatPage b = ChatPage.open(second, page()).signIn(bob).join(room);
        a.await("bob among the members", () -> a.members(room).contains(bob));
        a.writeTo(bob).send("lunch at noon?");
        b.await("alice's message", () -> hasConversation(b, "dm:" + alice) && b.messages("dm:" + alice).size() == 1);
        b.openConversation("dm:" + alice).send("yes, see you there");
        a.awaitMessages("dm:" + bob, "the reply", m -> m.size() == 2 && m.stream().noneMatch(Shown::pending));

        a.reload();
        a.awaitState("open");
        a.await("the direct conversation shown again", () -> ("dm:" + bob).equals(a.activeConversation()));
        List<Shown> shown = a.awaitMessages("dm:" + bob, "its messages", m -> m.size() == 2);
        assertEquals(List.of("lunch at noon?", "yes, see you there"), shown.stream().map(Shown::text).toList());
        assertEquals(List.of(alice, bob), shown.stream().map(Shown::from).toList());
        assertTrue(hasConversation(a, "room:" + room), "the room kept too");
        assertEquals(0, a.unread("dm:" + bob), "nothing unread: alice had seen the reply");
        assertEquals("online", presence(a, bob));

        // Another tab, with nothing remembered, gets the user's conversations from the server.
        ChatPage fresh = ChatPage.open(first, page()).signIn(alice);
        fresh.await("the user's conversations", () -> hasConversation(fresh, "dm:" + bob) && hasConversation(fresh, "room:" + room));
        fresh.openConversation("dm:" + bob);
        fresh.awaitMessages("dm:" + bob, "the direct messages", m -> m.size() == 2);
    }

    @Test
    void readingInOneTabClearsTheCountInTheOtherTabAndAfterAReload() {
        String alice = name("alice");
        String room = name("news");
        String other = name("elsewhere");
        try (TestClient carol = TestClient.inRoom(base, name("carol"), room)) {
            ChatPage one = ChatPage.open(first, page()).signIn(alice).join(room).join(other);
            ChatPage two = ChatPage.open(second, page()).signIn(alice);
            two.await("the user's rooms in the second tab", () -> hasConversation(two, "room:" + room)
                    && hasConversation(two, "room:" + other) && !("room:" + room).equals(two.activeConversation()));
            // Both tabs showing another room: carol's messages are unread in both.
            two.openConversation("room:" + other);
            post(carol, room, "one", "r-1");
            post(carol, room, "two", "r-2");
            for (ChatPage p : List.of(one, two)) {
                p.await("two unread", () -> p.unread("room:" + room) == 2
                        && "(2) Parley".equals(p.browser().driver().getTitle()));
            }

            one.openConversation("room:" + room);
            two.await("the count cleared by reading in the other tab", () -> two.unread("room:" + room) == 0
                    && "Parley".equals(second.driver().getTitle()));

            one.openConversation("room:" + other);
            post(carol, room, "three", "r-3");
            two.await("one unread", () -> two.unread("room:" + room) == 1);
            two.reload();
            two.awaitState("open");
            two.await("still one unread after a reload", () -> hasConversation(two, "room:" + room)
                    && two.unread("room:" + room) == 1 && "(1) Parley".equals(second.driver().getTitle()));

            one.openConversation("room:" + room);
            two.await("cleared again from the other tab", () -> two.unread("room:" + room) == 0
                    && "Parley".equals(second.driver().getTitle()));
            one.reload();
            one.awaitState("open");
            one.awaitMessages("room:" + room, "the three messages", m -> m.size() == 3);
            one.openConversation("room:" + other);
            assertEquals(0, one.unread("room:" + room), "read stays read after a reload");
        }
    }

    @Test
    void onAPhoneOnlyTheMessageListScrollsAndTheMessageBoxStaysOnScreen() {
        String room = name("phone");
        try (TestClient carol = TestClient.inRoom(base, name("carol"), room)) {
            for (int i = 1; i <= 30; i++) {
                post(carol, room, "message " + i + " on a small screen", "p-" + i);
            }
            ChatPage a = ChatPage.open(first, page()).signIn(name("alice")).join(room);
            a.awaitMessages("room:" + room, "the messages", m -> m.size() == 30);
            for (int[] size : new int[][]{{320, 640}, {375, 667}}) {
                first.viewport(size[0], size[1]);
                String at = size[0] + " x " + size[1];
                assertEquals(List.of((long) size[0], (long) size[1]), first.script("return [innerWidth, innerHeight]"), at);
                assertPhoneLayout(a, at);
                for (String toggle : List.of("members-toggle", "tools-toggle")) {
                    first.driver().findElement(By.id(toggle)).click();
                    assertPhoneLayout(a, at + " with " + toggle + " open");
                }
                for (String id : List.of("join-room", "member-list")) {
                    long right = ((Number) first.script("return document.getElementById(arguments[0]).getBoundingClientRect().right",
                            id)).longValue();
                    assertTrue(first.driver().findElement(By.id(id)).isDisplayed() && right <= size[0], id + " at " + at);
                }
                for (String toggle : List.of("members-toggle", "tools-toggle")) {
                    first.driver().findElement(By.id(toggle)).click();
                }
            }
            a.send("typed on the phone");
            a.awaitMessages("room:" + room, "the message", m -> m.size() == 31 && !m.get(30).pending());
            assertPhoneLayout(a, "after sending");
            a.await("my own message in view", () -> atBottom(first));
        }
    }

    @Test
    void aRoomJoinedRightAfterSigningInKeepsTheDefaultRoom() {
        String room = name("early");
        ChatPage a = ChatPage.open(first, page());
        // Both forms submitted in one go: the join is asked for before the server's welcome and default room.
        first.script("""
                document.getElementById('login-name').value = arguments[0];
                document.getElementById('login-form').requestSubmit();
                const room = arguments[1];
                const joinEarly = () => {
                    if (document.getElementById('chat-view').hidden) {
                        setTimeout(joinEarly, 0);
                        return;
                    }
                    document.getElementById('join-room').value = room;
                    document.getElementById('join-form').requestSubmit();
                };
                joinEarly();
                """, name("alice"), room);
        a.awaitState("open");
        a.await("the room joined", () -> a.members(room).contains(a.user()));
        a.await("the default room listed", () -> hasConversation(a, "room:lobby"));
        a.openConversation("room:lobby");
        a.await("in the lobby", () -> a.members("lobby").contains(a.user()));
        assertTrue(hasConversation(a, "room:lobby"), "the default room stays after its joined arrived");
    }

    @Test
    void changeNameAsksFirstAndKeepsTheRooms() {
        String alice = name("alice");
        String room = name("kept");
        ChatPage a = ChatPage.open(first, page()).signIn(alice).join(room);
        first.driver().findElement(By.id("sign-out")).click();
        assertTrue(first.driver().findElement(By.id("change-name")).isDisplayed(), "asks first");
        first.driver().findElement(By.id("change-name-no")).click();
        assertEquals("open", a.state(), "still signed in after Cancel");
        assertEquals(alice, a.user());

        first.driver().findElement(By.id("sign-out")).click();
        first.driver().findElement(By.id("change-name-yes")).click();
        a.await("the login form", () -> first.driver().findElement(By.id("login-name")).isDisplayed());
        first.driver().findElement(By.id("login-name")).clear();
        String renamed = name("alicia");
        a.signIn(renamed);
        a.await("the room joined again under the new name", () -> {
            first.script("document.querySelector(`button[data-key='room:${arguments[0]}']`)?.click()", room);
            return a.members(room).contains(renamed);
        });
        assertEquals(renamed, a.user());
    }

    @Test
    void theDotOfTheOtherPersonInDirectMessagesIsTrue() {
        String alice = name("alice");
        String bob = name("bob");
        String room = name("dots");
        ChatPage a = ChatPage.open(first, page()).signIn(alice).join(room);
        ChatPage b = ChatPage.open(second, page()).signIn(bob).join(room);
        a.await("bob among the members", () -> a.members(room).contains(bob));
        a.writeTo(bob);
        assertEquals("online", presence(a, bob));
        b.browser().driver().findElement(By.id("leave-room")).click();
        b.openConversation("room:lobby");
        b.browser().driver().findElement(By.id("leave-room")).click();
        a.await("bob no longer shown online", () -> "unknown".equals(presence(a, bob)));
        assertEquals("online", presence(a, alice));
        assertTrue(first.driver().findElement(By.cssSelector("#member-list li[data-user='" + bob + "']")).getText()
                .contains("not in your rooms now"));
    }

    @Test
    @Timeout(300)
    void theReconnectBannerCountsDownToTheNextAttempt() {
        try (TcpProxy proxy = TcpProxy.to(base.getPort())) {
            ChatPage a = ChatPage.open(first, page(proxy)).signIn(name("alice"));
            proxy.refuse(true);
            proxy.sever();
            a.awaitState("reconnecting");
            // The first attempts come every 0.5-1 s; once the waits grow (after about 35-45 s), the banner counts
            // each one down a second at a time.
            List<Integer> seen = new ArrayList<>();
            a.await("a countdown", Duration.ofSeconds(150), () -> {
                Matcher m = Pattern.compile("Reconnecting in (\\d+) s").matcher(a.statusText());
                if (m.find()) {
                    int n = Integer.parseInt(m.group(1));
                    if (seen.isEmpty() || seen.get(seen.size() - 1) != n) {
                        seen.add(n);
                    }
                }
                for (int i = 1; i < seen.size(); i++) {
                    if (seen.get(i - 1) >= 2 && seen.get(i) == seen.get(i - 1) - 1) {
                        return true;
                    }
                }
                return false;
            });
            proxy.refuse(false);
            first.driver().findElement(By.id("reconnect")).click();
            a.awaitState("open", Duration.ofSeconds(45));
        }
    }

    @Test
    void notificationsAreOffUntilTurnedOnAndNeverAskedForOnLoad() {
        ChatPage a = ChatPage.open(first, page()).signIn(name("alice"));
        assertEquals("false", first.driver().findElement(By.id("notify")).getDomAttribute("aria-pressed"));
        assertEquals("default", first.script("return Notification.permission"), "the page did not ask on load");
        assertNull(first.script("return localStorage.getItem('parley.notify')"));
        assertEquals("open", a.state());
    }

    // ---------------------------------------------------------------- helpers

    private void assertNoViolations(ChatPage page, String state) {
        List<String> found = axe.violations(page.browser());
        assertEquals(List.of(), found, "axe-core " + axe.version(page.browser()) + " in state: " + state);
    }

    private static void assertPhoneLayout(ChatPage page, String at) {
        Browser b = page.browser();
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) b.script("""
                const box = document.getElementById('composer-text').getBoundingClientRect();
                const send = document.querySelector('#composer button[type=submit]').getBoundingClientRect();
                const logs = document.getElementById('logs');
                return {pageScrolls: document.documentElement.scrollHeight > innerHeight
                            || document.documentElement.scrollWidth > innerWidth,
                        boxTop: box.top, boxBottom: box.bottom, sendBottom: send.bottom, height: innerHeight,
                        logScrolls: logs.scrollHeight > logs.clientHeight, logHeight: logs.clientHeight};
                """);
        assertEquals(false, m.get("pageScrolls"), at + ": the page itself scrolls: " + m);
        assertTrue(((Number) m.get("boxTop")).doubleValue() >= 0
                && ((Number) m.get("boxBottom")).doubleValue() <= ((Number) m.get("height")).doubleValue()
                && ((Number) m.get("sendBottom")).doubleValue() <= ((Number) m.get("height")).doubleValue(),
                at + ": the message box is off screen: " + m);
        assertEquals(true, m.get("logScrolls"), at + ": the message list scrolls: " + m);
        assertTrue(((Number) m.get("logHeight")).doubleValue() >= 60, at + ": room to read: " + m);
    }

    private static boolean hasConversation(ChatPage page, String key) {
        return !page.browser().driver().findElements(By.cssSelector("button.conversation-button[data-key='" + key + "']")).isEmpty();
    }

    private static boolean atBottom(Browser b) {
        return (Boolean) b.script("const l = document.getElementById('logs');"
                + " return l.scrollHeight - l.scrollTop - l.clientHeight < 40;");
    }

    private static String presence(ChatPage page, String user) {
        return (String) page.browser().script(
                "return document.querySelector(`#member-list li[data-user='${arguments[0]}']`)?.dataset.presence ?? null;", user);
    }

    /** Puts text into the message box as a paste does (one input event), and focuses it. */
    private static void paste(ChatPage page, String text) {
        page.browser().script("const t = document.getElementById('composer-text'); t.focus(); t.value = arguments[0];"
                + " t.dispatchEvent(new InputEvent('input', {inputType: 'insertFromPaste', bubbles: true}));", text);
    }

    private URI page() {
        return Deployments.http(base, "");
    }

    private URI page(TcpProxy proxy) {
        return URI.create("http://127.0.0.1:" + proxy.port() + base.getPath());
    }

    private static String name(String prefix) {
        return prefix + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
    }

    private static void post(TestClient c, String room, String text, String ref) {
        c.send(Json.createObjectBuilder().add("type", "message").add("room", room).add("text", text).add("ref", ref)
                .build().toString());
        c.await(f -> "ack".equals(f.getString("type", null)) && ref.equals(f.getString("ref", null)), WAIT, new ArrayList<>());
    }
}
