package dev.parley.webclient;

import dev.parley.testing.Needs;
import dev.parley.testing.Prerequisite;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The browser client library's own unit tests ({@code src/test/js/}, for {@code src/main/webapp/parley.js}),
 * run with Node's built-in test runner: every one of them must pass, and there must be some.
 */
@Needs(Prerequisite.NODE)
class ParleyJsTest {

    private static final Path TESTS = Path.of("src/test/js/parley.test.js");

    @Test
    void theClientLibrarysNodeTestsAllPass() throws Exception {
        Path report = Files.createDirectories(Path.of("target")).resolve("parley-js-tests.tap");
        // Output to a file, not a pipe: a hung Node is then stopped by waitFor's bound, not read forever.
        Process node = new ProcessBuilder(Prerequisite.NODE_BINARY, "--test", "--test-reporter=tap", TESTS.toString())
                .redirectErrorStream(true)
                .redirectOutput(report.toFile())
                .start();
        if (!node.waitFor(120, TimeUnit.SECONDS)) {
            node.destroyForcibly();
        }
        String tap = Files.readString(report, StandardCharsets.UTF_8);
        assertEquals(0, node.isAlive() ? -1 : node.exitValue(), () -> "node --test " + TESTS + " failed:\n" + tap);
        assertEquals(0, count(tap, "fail"), () -> tap);
        assertTrue(count(tap, "pass") > 0, () -> "no JavaScript test ran:\n" + tap);
        System.out.println("parley.js: " + count(tap, "pass") + " Node tests passed");
    }

    /** The number on a TAP summary line such as {@code # pass 42}; -1 when there is none. */
    private static int count(String tap, String what) {
        Matcher m = Pattern.compile("(?m)^# " + what + " (\\d+)$").matcher(tap);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
