package dev.parley.it;

import dev.parley.it.support.Browser;
import dev.parley.it.support.ChatPage;
import dev.parley.it.support.ChatPage.Shown;
import dev.parley.it.support.PayaraProcess;
import dev.parley.testing.Needs;
import dev.parley.testing.Prerequisite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chat page across a server restart, in headless Chromium against a Payara Micro process of its own that the
 * test stops (gracefully: the page gets 1001) and starts again on the same port and database: the banner counts
 * down while the server is away, and the page is connected again within 3 seconds of the server being ready
 * (answering its page), whatever the restart took, with its room and messages.
 */
@Needs(Prerequisite.CHROMIUM)
@Timeout(900)
class PageRestartIT {

    private static final Pattern COUNTDOWN = Pattern.compile("Reconnecting in (\\d+) s");

    @Test
    void aRestartedServerHasThePageBackWithinThreeSecondsOfBeingReady() {
        Path data = Path.of("target", "it-data", "page-restart-" + UUID.randomUUID()).toAbsolutePath();
        try (PayaraProcess server = PayaraProcess.builder("page-restart")
                .property("parley.data.dir", data.toString())
                // Four sessions share two cores: a start has taken over three minutes here.
                .startupTimeout(Duration.ofMinutes(6)).build().start();
             Browser browser = Browser.start()) {
            String room = "restart";
            ChatPage page = ChatPage.open(browser, server.http("")).signIn("alice").join(room);
            page.send("before the restart");
            page.awaitMessages("room:" + room, "the message", m -> m.size() == 1 && !m.get(0).pending());
            String before = page.session();

            server.stop();
            page.awaitState("reconnecting", Duration.ofSeconds(30));
            // While the server is away the banner counts down to each attempt (it used to show one fixed number).
            List<String> banners = new ArrayList<>();
            page.await("the reconnect banner", Duration.ofSeconds(30), () -> {
                String text = page.statusText();
                if (banners.isEmpty() || !banners.get(banners.size() - 1).equals(text)) {
                    banners.add(text);
                }
                return banners.size() >= 4 && banners.stream().anyMatch(t -> t.startsWith("Connection lost. Reconnecting in"));
            });

            server.start();
            long readyAt = System.nanoTime();
            page.await("a new connection", Duration.ofSeconds(60),
                    () -> "open".equals(page.state()) && page.session() != null && !page.session().equals(before));
            Duration back = Duration.ofNanos(System.nanoTime() - readyAt);
            assertTrue(back.compareTo(Duration.ofSeconds(3)) <= 0, "connected again " + back.toMillis()
                    + " ms after the server was ready; banners: " + banners);
            for (String banner : banners) {
                Matcher m = COUNTDOWN.matcher(banner);
                assertTrue(!m.find() || Integer.parseInt(m.group(1)) <= 1, "retried often while the server was away: " + banners);
            }

            page.awaitMessages("room:" + room, "the room as before", m -> m.size() == 1);
            page.send("after the restart");
            List<Shown> shown = page.awaitMessages("room:" + room, "the new message",
                    m -> m.size() == 2 && m.stream().noneMatch(Shown::pending));
            assertEquals(List.of("before the restart", "after the restart"), shown.stream().map(Shown::text).toList());
            assertEquals(List.of(1L, 2L), shown.stream().map(Shown::seq).toList());
            System.out.println("page back " + back.toMillis() + " ms after the server was ready; banners seen: " + banners);
        }
    }
}
