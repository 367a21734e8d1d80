package dev.parley.it.support;

import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The chat page as a user works it, in one {@link Browser}: typing into its fields and pressing Enter, and
 * reading what it shows (the message lists, members, typing line and connection status) from the DOM.
 * Every wait polls the page until a condition holds or a timeout passes.
 */
public final class ChatPage {

    /** Default wait for the page to show something. */
    public static final Duration WAIT = Duration.ofSeconds(20);

    /** One message as the page shows it; {@code seq} is null while it is the user's own unconfirmed one. */
    public record Shown(Long seq, String from, String text, boolean pending, String delivery) {
    }

    private final Browser browser;
    private final URI url;

    private ChatPage(Browser browser, URI url) {
        this.browser = browser;
        this.url = url;
    }

    /** Opens the page in a fresh tab of the browser. */
    public static ChatPage open(Browser browser, URI url) {
        browser.freshTab();
        browser.driver().get(url.toString());
        ChatPage page = new ChatPage(browser, url);
        page.await("the login form", () -> page.browser.driver().findElement(By.id("login-name")).isDisplayed());
        return page;
    }

    /** The browser showing this page. */
    public Browser browser() {
        return browser;
    }

    /** Types a name into the login form, presses Enter, and waits until connected. */
    public ChatPage signIn(String name) {
        field("login-name").sendKeys(name, Keys.ENTER);
        awaitState("open");
        return this;
    }

    /** Joins a room through the join form (Enter), and waits until the page shows it joined. */
    public ChatPage join(String room) {
        field("join-room").sendKeys(room, Keys.ENTER);
        await("room " + room + " joined", () -> members(room).contains(user()));
        return this;
    }

    /** Types text into the message box and presses Enter. */
    public ChatPage send(String text) {
        field("composer-text").sendKeys(text, Keys.ENTER);
        return this;
    }

    /** Types into the message box without sending. */
    public ChatPage type(String text) {
        field("composer-text").sendKeys(text);
        return this;
    }

    /** Opens a conversation from the sidebar: {@code room:NAME} or {@code dm:USER}. */
    public ChatPage openConversation(String key) {
        browser.driver().findElement(By.cssSelector("button.conversation-button[data-key='" + key + "']")).click();
        await("conversation " + key + " shown", () -> key.equals(activeConversation()));
        return this;
    }

    /** Clicks "Message" next to a member, which opens direct messages with them. */
    public ChatPage writeTo(String user) {
        browser.driver().findElement(By.cssSelector("#member-list li[data-user='" + user + "'] button")).click();
        await("direct messages with " + user, () -> ("dm:" + user).equals(activeConversation()));
        return this;
    }

    /** Clicks "Load older messages" and waits until the room shows more than before, or the button goes. */
    public ChatPage loadOlder(String room) {
        int before = messages("room:" + room).size();
        browser.driver().findElement(By.id("load-older")).click();
        await("older messages of " + room, () -> messages("room:" + room).size() > before || !loadOlderShown());
        return this;
    }

    /** Opens "All rooms" and returns its entries ("name (members)") once listed. */
    @SuppressWarnings("unchecked")
    public List<String> roomDirectory() {
        browser.driver().findElement(By.cssSelector("#browse summary")).click();
        String list = "return [...document.querySelectorAll('#all-rooms button')].map(b => b.textContent);";
        await("the room directory", () -> !((List<String>) browser.script(list)).isEmpty());
        return (List<String>) browser.script(list);
    }

    /** Whether the "Load older messages" button is shown. */
    public boolean loadOlderShown() {
        return browser.driver().findElement(By.id("load-older")).isDisplayed();
    }

    /** Reloads the page. */
    public ChatPage reload() {
        browser.driver().navigate().refresh();
        return this;
    }

    /** The user name the page signed in with. */
    public String user() {
        return browser.driver().findElement(By.id("me")).getText();
    }

    /** The connection state the page shows: idle, connecting, open, reconnecting or closed. */
    public String state() {
        return browser.driver().findElement(By.id("status")).getAttribute("data-state");
    }

    /** The id of the page's current connection (changes with every reconnect). */
    public String session() {
        return browser.driver().findElement(By.id("status")).getAttribute("data-session");
    }

    /** The status line's text. */
    public String statusText() {
        return browser.driver().findElement(By.id("status")).getText();
    }

    /** The conversation shown: {@code room:NAME} or {@code dm:USER}. */
    public String activeConversation() {
        return (String) browser.script("const l = [...document.querySelectorAll('#logs ol.log')].find(o => !o.hidden);"
                + " return l ? l.dataset.key : null;");
    }

    /** The messages of a conversation ({@code room:NAME} or {@code dm:USER}) in the order shown. */
    @SuppressWarnings("unchecked")
    public List<Shown> messages(String key) {
        List<Map<String, Object>> rows = (List<Map<String, Object>>) browser.script(
                "const log = document.querySelector(`#logs ol.log[data-key='${arguments[0]}']`);"
                        + " if (!log) return [];"
                        + " return [...log.querySelectorAll('li.msg')].map(li => ({"
                        + "  seq: li.dataset.seq === undefined ? null : Number(li.dataset.seq),"
                        + "  from: li.querySelector('.from').textContent,"
                        + "  text: li.querySelector('.text').textContent,"
                        + "  pending: li.classList.contains('pending'),"
                        + "  delivery: li.querySelector('.delivery')?.textContent ?? null}));", key);
        return rows.stream().map(r -> new Shown(r.get("seq") == null ? null : ((Number) r.get("seq")).longValue(),
                (String) r.get("from"), (String) r.get("text"), (Boolean) r.get("pending"),
                (String) r.get("delivery"))).toList();
    }

    /** The texts of a room's messages, in the order shown. */
    public List<String> texts(String room) {
        return messages("room:" + room).stream().map(Shown::text).toList();
    }

    /** The members listed for a room (the room must be the one shown). */
    @SuppressWarnings("unchecked")
    public List<String> members(String room) {
        if (!("room:" + room).equals(activeConversation())) {
            return List.of();
        }
        return (List<String>) browser.script(
                "return [...document.querySelectorAll('#member-list li')].map(li => li.dataset.user);");
    }

    /** The typing line ("bob is typing…"), empty when nobody types. */
    public String typingLine() {
        return browser.driver().findElement(By.id("typing")).getText();
    }

    /** The unread count shown on a conversation's button, 0 when none. */
    public int unread(String key) {
        WebElement badge = browser.driver().findElement(By.cssSelector("button[data-key='" + key + "'] .badge"));
        String text = badge.getAttribute("textContent").replaceAll("\\D", "");
        return badge.isDisplayed() && !text.isEmpty() ? Integer.parseInt(text) : 0;
    }

    /** Presses keys on whatever has the focus, as a keyboard user does. */
    public ChatPage press(CharSequence... keys) {
        new Actions(browser.driver()).sendKeys(keys).perform();
        return this;
    }

    /** Presses a key with Shift held, on whatever has the focus. */
    public ChatPage pressWithShift(CharSequence key) {
        new Actions(browser.driver()).keyDown(Keys.SHIFT).sendKeys(key).keyUp(Keys.SHIFT).perform();
        return this;
    }

    /** The id of the focused element. */
    public String focused() {
        return browser.driver().switchTo().activeElement().getAttribute("id");
    }

    /** Waits for the connection state. */
    public ChatPage awaitState(String state) {
        return awaitState(state, WAIT);
    }

    /** Waits for the connection state, at most {@code timeout}. */
    public ChatPage awaitState(String state, Duration timeout) {
        await("state " + state + " (now " + safeState() + ")", timeout, () -> state.equals(state()));
        return this;
    }

    /** Waits until the conversation's messages match. */
    public List<Shown> awaitMessages(String key, String what, Predicate<List<Shown>> match) {
        try {
            await(what + " in " + key, () -> match.test(messages(key)));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; shown: " + messages(key), e);
        }
        return messages(key);
    }

    /** Polls {@code condition} until it holds, failing after {@link #WAIT}. */
    public void await(String what, java.util.function.BooleanSupplier condition) {
        await(what, WAIT, condition);
    }

    /** Polls {@code condition} until it holds, failing after {@code timeout}. */
    public void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
        try {
            new WebDriverWait(browser.driver(), timeout, Duration.ofMillis(100))
                    .withMessage(() -> "page did not show " + what + " within " + timeout)
                    .until(d -> condition.getAsBoolean());
        } catch (RuntimeException e) {
            throw new AssertionError(e.getMessage() + "; status: " + safeStatus(), e);
        }
    }

    private String safeState() {
        try {
            return state();
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    private String safeStatus() {
        try {
            return statusText();
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    private WebElement field(String id) {
        return browser.driver().findElement(By.id(id));
    }

    @Override
    public String toString() {
        return "ChatPage[" + url + "]";
    }
}
