package dev.parley.it.support;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two real browsers for a test class ({@code @RegisterExtension static final TwoBrowsers browsers = ...}): started
 * before its first test, closed after its last, and after each test a check that neither page logged a severe
 * console message (a script error, a CSP violation, a failed load) other than those the class expects.
 */
public final class TwoBrowsers implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    private final List<String> expected;
    private Browser first;
    private Browser second;

    /** @param expected fragments of console messages that the class's tests cause on purpose */
    public TwoBrowsers(String... expected) {
        this.expected = List.of(expected);
    }

    public Browser first() {
        return first;
    }

    public Browser second() {
        return second;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        first = Browser.start();
        second = Browser.start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (Browser b : List.of(first, second)) {
            List<String> severe = b.severeConsoleMessages().stream()
                    .filter(m -> expected.stream().noneMatch(m::contains))
                    .toList();
            assertEquals(List.of(), severe, "console errors (script errors, CSP violations, failed loads)");
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        for (Browser b : new Browser[]{first, second}) {
            if (b != null) {
                b.close();
            }
        }
    }
}
