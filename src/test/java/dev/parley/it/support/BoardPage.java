package dev.parley.it.support;

import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The drawing board ({@code board.html}) in a browser, as a person uses it: draws with the mouse and sees what
 * the page shows, the strokes on the canvas (read back as pixels) and the other people's pointers.
 * Positions are in CSS pixels from the canvas's centre. Every wait polls the page until a condition holds.
 */
public final class BoardPage {

    /** How long a wait polls. */
    public static final Duration WAIT = Duration.ofSeconds(20);

    private final Browser browser;
    private final String window;

    private BoardPage(Browser browser) {
        this.browser = browser;
        this.window = browser.driver().getWindowHandle();
    }

    /**
     * Opens {@code board.html} of the deployment at {@code root} as {@code name} on {@code board} in the browser's
     * current tab, and waits until it shows the whole drawing. The page object switches to its tab on every use.
     */
    public static BoardPage open(Browser browser, URI root, String name, String board) {
        browser.driver().get(root.resolve("board.html?name=" + name + "&board=" + board).toString());
        BoardPage page = new BoardPage(browser);
        page.await("the board is ready", () -> "true".equals(page.attribute("body", "data-ready")));
        return page;
    }

    private WebDriver driver() {
        WebDriver d = browser.driver();
        if (!window.equals(d.getWindowHandle())) {
            d.switchTo().window(window);
        }
        return d;
    }

    private Object script(String js, Object... args) {
        driver();
        return browser.script(js, args);
    }

    private WebElement canvas() {
        return driver().findElement(By.id("canvas"));
    }

    private String attribute(String css, String name) {
        return driver().findElement(By.cssSelector(css)).getAttribute(name);
    }

    /** Draws a line through the points (x, y pairs), pressing the mouse at the first and releasing it at the last. */
    public BoardPage draw(int... xy) {
        Actions actions = new Actions(driver()).moveToElement(canvas(), xy[0], xy[1]).clickAndHold();
        for (int i = 2; i < xy.length; i += 2) {
            actions.moveToElement(canvas(), xy[i], xy[i + 1]);
        }
        actions.release().perform();
        return this;
    }

    /** Moves the mouse to a point without pressing it. */
    public BoardPage point(int x, int y) {
        new Actions(driver()).moveToElement(canvas(), x, y).perform();
        return this;
    }

    /** How many strokes the page holds. */
    public int strokes() {
        return Integer.parseInt(canvas().getAttribute("data-strokes"));
    }

    /** Whether the canvas has paint within 3 pixels of the point. */
    public boolean paintedAt(int x, int y) {
        Object painted = script("""
                const c = document.getElementById('canvas');
                const box = c.getBoundingClientRect();
                const px = Math.round((box.width / 2 + arguments[0]) * c.width / box.width);
                const py = Math.round((box.height / 2 + arguments[1]) * c.height / box.height);
                const d = c.getContext('2d').getImageData(px - 3, py - 3, 7, 7).data;
                for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) return true; }
                return false;""", x, y);
        return Boolean.TRUE.equals(painted);
    }

    /** The board coordinates (0 to 1) of a point given from the centre, as the page computes them. */
    public double[] boardPoint(int x, int y) {
        @SuppressWarnings("unchecked")
        List<Number> p = (List<Number>) script("""
                const box = document.getElementById('canvas').getBoundingClientRect();
                return [(box.width / 2 + arguments[0]) / box.width, (box.height / 2 + arguments[1]) / box.height];""", x, y);
        return new double[]{p.get(0).doubleValue(), p.get(1).doubleValue()};
    }

    /** The shown pointer of {@code user} as board coordinates, or null when none is shown. */
    public double[] cursorOf(String user) {
        @SuppressWarnings("unchecked")
        List<Object> p = (List<Object>) script("""
                const el = [...document.querySelectorAll('#cursors .cursor')].find((c) => c.dataset.user === arguments[0]);
                return el && !el.hidden && el.dataset.x ? [Number(el.dataset.x), Number(el.dataset.y)] : null;""", user);
        return p == null ? null : new double[]{((Number) p.get(0)).doubleValue(), ((Number) p.get(1)).doubleValue()};
    }

    /** Whether the pointer of {@code user} is shown within 0.01 of the board point. */
    public boolean showsCursorNear(String user, double[] point) {
        double[] at = cursorOf(user);
        return at != null && Math.abs(at[0] - point[0]) < 0.01 && Math.abs(at[1] - point[1]) < 0.01;
    }

    /** Polls {@code condition} until it holds, failing after {@link #WAIT} with {@code what}. */
    public void await(String what, BooleanSupplier condition) {
        try {
            new WebDriverWait(driver(), WAIT, Duration.ofMillis(50)).until(d -> condition.getAsBoolean());
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("timed out waiting for " + what, e);
        }
    }
}
