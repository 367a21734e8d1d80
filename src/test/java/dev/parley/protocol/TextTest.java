package dev.parley.protocol;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextTest {

    @ParameterizedTest(name = "blank: {0}")
    @ValueSource(strings = {"", " ", "\t\r\n", "\u00A0", "\u200B", "\u2028", "\u2029", "\uFEFF", "\u2060", "\u3000",
            "\u202F", "\u200D\u200C", "\u00AD", "\u3164", "\u2800", " \u00A0\u200B\u2028 "})
    void textOfOnlyWhiteSpaceOrInvisibleCharactersIsBlank(String text) {
        assertTrue(Text.isBlank(text));
    }

    @ParameterizedTest(name = "not blank: {0}")
    @ValueSource(strings = {"a", " a ", "\u00A0.", "\u200Bx", "😀", "\u0301", "ー", "_"})
    void textWithSomethingVisibleIsNotBlank(String text) {
        assertFalse(Text.isBlank(text));
    }
}
