package dev.parley.it.support;

import dev.parley.testing.Prerequisite;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;

/**
 * A headless Chromium driven through chromedriver, both the machine's own (Debian's {@code chromium} and
 * {@code chromium-driver}, which {@code .ci/run} installs): Selenium is given both paths, so it never looks
 * for or downloads a browser or driver. Paths can be changed with {@code -Dparley.chromium} and
 * {@code -Dparley.chromedriver}. Each browser has its own empty profile, removed on close.
 */
public final class Browser implements AutoCloseable {

    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Starts a browser with a desktop-sized window; the test must be marked {@code @Needs(CHROMIUM)}. */
    public static Browser start() {
        try {
            Path profile = Files.createTempDirectory("parley-chromium-");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(Prerequisite.CHROMIUM_BINARY);
            options.addArguments(
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    // Nothing but the page under test goes on the network: no updates, sync, metrics or QUIC probes.
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-default-apps", "--disable-extensions", "--disable-quic", "--no-first-run",
                    "--no-default-browser-check", "--metrics-recording-only",
                    // Several browsers share a small machine: keep their timers honest.
                    "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                    "--disable-backgrounding-occluded-windows",
                    "--lang=en-US", "--window-size=1280,800", "--user-data-dir=" + profile);
            // An alert() must stay open for the test to see it, not be dismissed by the driver.
            options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            options.setCapability("goog:loggingPrefs", logs);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File(Prerequisite.CHROMEDRIVER_BINARY))
                    .usingAnyFreePort()
                    .build();
            return new Browser(new ChromeDriver(service, options), profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The driver. */
    public WebDriver driver() {
        return driver;
    }

    /** Runs a script in the page and returns its result. */
    public Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /**
     * Opens a new tab and closes the others: the next page starts with nothing remembered
     * (sessionStorage belongs to the tab).
     */
    public void freshTab() {
        String old = driver.getWindowHandle();
        driver.switchTo().newWindow(WindowType.TAB);
        String fresh = driver.getWindowHandle();
        driver.switchTo().window(old).close();
        driver.switchTo().window(fresh);
    }

    /** Runs an asynchronous script (its last argument is the callback) and returns what it passed back. */
    public Object asyncScript(String js, Object... args) {
        return driver.executeAsyncScript(js, args);
    }

    /** Makes the page see {@code prefers-color-scheme} as {@code light} or {@code dark} (Chrome DevTools Protocol). */
    public void colorScheme(String scheme) {
        driver.executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
    }

    /** Sets the window so that the page's viewport (window.innerWidth x innerHeight) is {@code width} x {@code height}. */
    public void viewport(int width, int height) {
        resize(width, height);
        long w = ((Number) script("return window.innerWidth")).longValue();
        long h = ((Number) script("return window.innerHeight")).longValue();
        if (w != width || h != height) {
            Dimension outer = driver.manage().window().getSize();
            resize(outer.getWidth() + (int) (width - w), outer.getHeight() + (int) (height - h));
        }
    }

    /** Sets the window's size in CSS pixels. */
    public void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Saves a screenshot of the viewport as {@code target/screenshots/<name>.png} and returns its path. */
    public Path screenshot(String name) {
        try {
            Path dir = Path.of(System.getProperty("parley.screenshots", "target/screenshots"));
            Files.createDirectories(dir);
            Path file = dir.resolve(name + ".png");
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Console messages of level SEVERE since the last call (script errors, CSP violations, failed loads). */
    public List<String> severeConsoleMessages() {
        List<String> severe = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                severe.add(e.getMessage());
            }
        }
        return severe;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a leftover temporary profile is harmless
            }
        }
    }
}
