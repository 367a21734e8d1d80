package dev.parley.it.support;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import java.io.StringReader;

/** Application data that is hard to carry exactly, for round-trip tests of the {@code data} field. */
public final class AppData {

    /**
     * Unicode (escaped and not, astral, NUL, quotes and backslashes), nested arrays and objects, an empty key,
     * and numbers at the edges of double precision and beyond it.
     */
    public static final String AWKWARD = "{\"s\":\"h\\u00e9llo \\ud83d\\ude00 \u00e9\u4e2d\\u0000\\\"\\\\/\",\"n\":[1.7976931348623157e308,"
            + "-1.7976931348623157E308,4.9e-324,2.2250738585072014E-308,9007199254740993,-9007199254740993,0.1,1e-7,"
            + "123456789012345678901234567890],\"a\":[[],[[{}]],[1,[2,[3,[\"x\",null,true,false]]]]],"
            + "\"o\":{\"\":{\"k\\u00e9y\":{}}},\"big\":-0.000000000000000000001}";

    private AppData() {
    }

    /** Parses a JSON object, for comparing what came back with what was sent (deep equality, numbers as decimals). */
    public static JsonObject json(String s) {
        return Json.createReader(new StringReader(s)).readObject();
    }
}
