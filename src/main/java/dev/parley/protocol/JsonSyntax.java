package dev.parley.protocol;

import jakarta.json.stream.JsonParsingException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a JSON parser's failure into a sentence in the client's terms ("not valid JSON at character 16:
 * found '}' where a field name should be"), without the parser's class or token names. Thread-safe.
 */
final class JsonSyntax {

    /** Parsson's token names, as a client would say them. */
    private static final Map<String, String> TOKENS = Map.ofEntries(
            Map.entry("CURLYOPEN", "'{'"), Map.entry("CURLYCLOSE", "'}'"),
            Map.entry("SQUAREOPEN", "'['"), Map.entry("SQUARECLOSE", "']'"),
            Map.entry("COLON", "':'"), Map.entry("COMMA", "','"),
            Map.entry("STRING", "a string"), Map.entry("NUMBER", "a number"),
            Map.entry("TRUE", "true"), Map.entry("FALSE", "false"), Map.entry("NULL", "null"),
            Map.entry("EOF", "the end of the text"));
    private static final Pattern INVALID_TOKEN = Pattern.compile("Invalid token=(\\w+)");
    private static final Pattern GOT_TOKEN = Pattern.compile("but got (\\w+)");
    private static final Pattern EXPECTED = Pattern.compile("Expected tokens are: \\[([\\w, ]*)]");
    private static final Pattern UNEXPECTED_CHAR = Pattern.compile("Unexpected char (-?\\d+)");

    private JsonSyntax() {
    }

    /** A one-line description of why {@code frame} is not one JSON object; never null. */
    static String describe(RuntimeException failure, String frame) {
        String raw = failure.getMessage() == null ? "" : failure.getMessage();
        if (raw.contains("too deeply nested")) {
            return "not valid JSON: nested too deeply";
        }
        if (!(failure instanceof JsonParsingException parsing)) {
            return "not valid JSON: the text ends before the object is complete";
        }
        long offset = parsing.getLocation() == null ? -1 : parsing.getLocation().getStreamOffset();
        String found = found(raw);
        if ("the end of the text".equals(found) || offset >= frame.length()) {
            return "not valid JSON: the text ends before the object is complete";
        }
        if (raw.startsWith("Expected EOF")) {
            return at(offset) + "unexpected data after the JSON object";
        }
        String expected = expected(raw);
        if (found == null) {
            return at(offset) + "unexpected input";
        }
        return at(offset) + "unexpected " + found + (expected == null ? "" : ", expected " + expected);
    }

    private static String at(long offset) {
        return offset < 0 ? "not valid JSON: " : "not valid JSON at character " + (offset + 1) + ": ";
    }

    private static String found(String raw) {
        Matcher token = INVALID_TOKEN.matcher(raw);
        if (token.find()) {
            return TOKENS.get(token.group(1));
        }
        Matcher got = GOT_TOKEN.matcher(raw);
        if (got.find()) {
            return TOKENS.get(got.group(1));
        }
        Matcher c = UNEXPECTED_CHAR.matcher(raw);
        if (c.find()) {
            int code = Integer.parseInt(c.group(1));
            if (code < 0) {
                return "the end of the text";
            }
            boolean printable = code >= 0x20 && code != 0x7f && code <= 0xffff && !Character.isSurrogate((char) code)
                    && !Text.isBlank(String.valueOf((char) code));
            return printable ? "'" + (char) code + "'" : String.format("character U+%04X", code);
        }
        return null;
    }

    private static String expected(String raw) {
        Matcher m = EXPECTED.matcher(raw);
        if (!m.find()) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (String t : m.group(1).split(",\\s*")) {
            String name = TOKENS.get(t.trim());
            if (name == null) {
                return null;
            }
            names.add(name);
        }
        if (names.size() > 3) {
            return "a value";
        }
        return names.size() == 1 ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }
}
