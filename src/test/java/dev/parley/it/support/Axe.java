package dev.parley.it.support;

import dev.parley.testing.Prerequisite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * axe-core, the accessibility rule set written by others, run inside a page the test shows. The version is pinned
 * in {@code src/test/js/axe/package-lock.json} and installed with {@code npm ci} into {@code target/axe} (once, like
 * the TypeScript compiler of {@code ClientPackageTest}); its script is injected through the driver, which the
 * page's Content-Security-Policy does not govern. Tests using it need {@code @Needs({CHROMIUM, NPM})}.
 */
public final class Axe {

    private static final Path PINNED = Path.of("src/test/js/axe").toAbsolutePath();
    private static final Path WORK = Path.of("target", "axe").toAbsolutePath();

    private final String source;

    private Axe(String source) {
        this.source = source;
    }

    /** Installs the pinned axe-core (unless target/axe already holds that version) and reads its script. */
    public static Axe install() {
        try {
            Files.createDirectories(WORK);
            Path script = WORK.resolve("node_modules/axe-core/axe.min.js");
            boolean same = Files.exists(WORK.resolve("package-lock.json"))
                    && Files.mismatch(WORK.resolve("package-lock.json"), PINNED.resolve("package-lock.json")) == -1
                    && Files.exists(script);
            if (!same) {
                for (String f : List.of("package.json", "package-lock.json")) {
                    Files.copy(PINNED.resolve(f), WORK.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
                Path log = WORK.resolve("npm-ci.log");
                Process npm = new ProcessBuilder(Prerequisite.NPM_BINARY, "ci", "--ignore-scripts", "--no-audit", "--no-fund")
                        .directory(WORK.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (!npm.waitFor(300, TimeUnit.SECONDS)) {
                    npm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    throw new IllegalStateException("npm ci (axe-core) did not finish in 300 s: " + Files.readString(log));
                }
                if (npm.exitValue() != 0) {
                    throw new IllegalStateException("npm ci (axe-core) failed: " + Files.readString(log));
                }
            }
            return new Axe(Files.readString(script, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The version of axe-core that ran (as axe reports it). */
    public String version(Browser browser) {
        inject(browser);
        return (String) browser.script("return axe.version;");
    }

    /**
     * Every violation axe-core finds in the page as it is now, of any impact, with all its rules (best practices
     * included), one line each: rule, impact, what it means, and the elements (CSS selectors) it found.
     */
    @SuppressWarnings("unchecked")
    public List<String> violations(Browser browser) {
        inject(browser);
        Object result = browser.asyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, {resultTypes: ['violations']})
                    .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.map(n => n.target.join(' ') + (n.failureSummary
                            ? ' [' + n.failureSummary.replace(/\\s+/g, ' ') + ']' : ''))}))))
                    .catch(e => done([{id: 'axe-error', impact: 'error', help: String(e), nodes: []}]));
                """);
        return ((List<Map<String, Object>>) result).stream()
                .map(v -> v.get("id") + " (" + v.get("impact") + "): " + v.get("help") + " -> " + v.get("nodes"))
                .toList();
    }

    private void inject(Browser browser) {
        if (!Boolean.TRUE.equals(browser.script("return typeof window.axe === 'object';"))) {
            browser.script(source + "\n;return true;");
        }
    }
}
