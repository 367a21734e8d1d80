package dev.parley.it;

import dev.parley.it.support.BoardPage;
import dev.parley.it.support.Browser;
import dev.parley.it.support.Deployments;
import dev.parley.it.support.TestClient;
import dev.parley.it.support.TwoBrowsers;
import dev.parley.testing.Needs;
import dev.parley.testing.Prerequisite;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.WindowType;

import java.net.URI;
import java.net.URL;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The drawing board ({@code board.html}) in headless Chromium against the deployed WAR: two people draw and see
 * each other's strokes and pointers live; a page opened later shows the whole drawing, older strokes paged
 * from history included. Two browsers; the later page is a new tab of the first.
 */
@Needs(Prerequisite.CHROMIUM)
@ExtendWith(ArquillianExtension.class)
@Timeout(120)
class BoardIT {

    @RegisterExtension
    static final TwoBrowsers BROWSERS = new TwoBrowsers();

    private Browser first;
    private Browser second;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley("parley.rate.messages-per-second=0\n"); // the test posts 60 strokes at once
    }

    @ArquillianResource
    URL base;

    @BeforeEach
    void browsers() {
        first = BROWSERS.first();
        second = BROWSERS.second();
    }

    private URI root() {
        return Deployments.http(base, "");
    }

    @Test
    void twoPagesDrawAndSeeEachOthersStrokesAndPointersAndALaterPageSeesTheWholeDrawing() {
        String board = "sketch";
        int older = 60; // more than a join's history (50): the later page must page back for the first ones
        try (TestClient earlier = TestClient.inRoom(base, "eve", board)) {
            for (int i = 0; i < older; i++) {
                double y = 0.05 + i * 0.0005;
                earlier.send("{\"type\":\"message\",\"room\":\"" + board + "\",\"data\":{\"kind\":\"stroke\",\"colour\":\"#222\","
                        + "\"width\":3,\"points\":[[0.02," + y + "],[0.08," + y + "]]},\"ref\":\"s" + i + "\"}");
            }
            earlier.await(f -> "ack".equals(f.getString("type")) && ("s" + (older - 1)).equals(f.getString("ref", null)),
                    TestClient.WAIT, null);
        }

        BoardPage ann = BoardPage.open(first, root(), "ann", board);
        BoardPage ben = BoardPage.open(second, root(), "ben", board);
        for (BoardPage p : List.of(ann, ben)) {
            p.await("the earlier strokes", () -> p.strokes() == older);
        }

        ann.draw(-300, -100, -200, -60, -100, -100, 0, -60);
        ben.draw(100, 150, 200, 100, 300, 150);
        for (BoardPage p : List.of(ann, ben)) {
            p.await("both new strokes", () -> p.strokes() == older + 2);
            p.await("ann's stroke painted", () -> p.paintedAt(-200, -60));
            p.await("ben's stroke painted", () -> p.paintedAt(200, 100));
        }
        assertTrue(!ann.paintedAt(0, 250), "and nothing where nobody drew");

        ann.point(-50, 200);
        double[] annAt = ann.boardPoint(-50, 200);
        ben.await("ann's pointer where she points", () -> ben.showsCursorNear("ann", annAt));
        second.screenshot("board-two-pages");
        ben.point(250, -200);
        double[] benAt = ben.boardPoint(250, -200);
        ann.await("ben's pointer where he points", () -> ann.showsCursorNear("ben", benAt));

        first.driver().switchTo().newWindow(WindowType.TAB);
        BoardPage cid = BoardPage.open(first, root(), "cid", board);
        assertEquals(older + 2, cid.strokes(), "the later page shows every stroke");
        assertTrue(cid.paintedAt(-200, -60), "ann's stroke");
        assertTrue(cid.paintedAt(200, 100), "ben's stroke");
        first.screenshot("board-later-page");
    }
}
