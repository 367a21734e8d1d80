package dev.parley.protocol;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.math.BigDecimal;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Generated client frames for fuzzing: well-formed JSON objects of the right and the wrong shapes (known
 * and unknown types, every field with values of every JSON type, good and bad names, huge and fractional
 * numbers, nesting), valid frames cut or spliced at random, and random text.
 */
public final class FrameArbitraries {

    private static final List<String> TYPES = List.of("join", "leave", "message", "typing", "direct", "history",
            "rooms", "ping", "auth", "signal", "state", "Join", "", "welcome", "error", "message ", "__proto__");
    private static final List<String> FIELDS = List.of("type", "room", "text", "to", "ref", "since", "before",
            "limit", "epoch", "token", "seq", "x", "data");
    private static final List<String> ROOMS = List.of("lobby", "r1", "private.team-red", "private.", "a", "zz-flush",
            "-bad", "a b", "x".repeat(65), "ünï", "lobby\u0000", "private.*");

    private FrameArbitraries() {
    }

    /** Any generated frame: about half JSON objects, the rest mutations and random text. */
    public static Arbitrary<String> frames() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, plausible()),
                net.jqwik.api.Tuple.of(3, jsonObjects()),
                net.jqwik.api.Tuple.of(2, mutated()),
                net.jqwik.api.Tuple.of(2, Arbitraries.strings().all().ofMaxLength(300)),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().withChars("{}[]\":,0123456789.eE-+ truefalsn\\u").ofMaxLength(80)));
    }

    /** A JSON object with a type (mostly known) and random fields of random JSON types. */
    public static Arbitrary<String> jsonObjects() {
        Arbitrary<JsonValue> value = values(2);
        Arbitrary<List<net.jqwik.api.Tuple.Tuple2<String, JsonValue>>> fields =
                Combinators.combine(Arbitraries.oneOf(Arbitraries.of(FIELDS), Arbitraries.strings().ofMaxLength(8)), value)
                        .as(net.jqwik.api.Tuple::of).list().ofMaxSize(6);
        Arbitrary<JsonValue> type = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.of(TYPES).map(Json::createValue)),
                net.jqwik.api.Tuple.of(2, value));
        return Combinators.combine(type, fields, Arbitraries.of(true, true, true, false)).as((t, fs, withType) -> {
            JsonObjectBuilder o = Json.createObjectBuilder();
            if (withType) {
                o.add("type", t);
            }
            for (var f : fs) {
                if (!f.get1().equals("type")) {
                    o.add(f.get1(), f.get2());
                }
            }
            return o.build().toString();
        });
    }

    /**
     * Frames of a known type with the fields that type takes, each field now and then of a wrong kind or
     * missing: these get past the decoder's first checks and exercise the handler.
     */
    public static Arbitrary<String> plausible() {
        Arbitrary<JsonValue> room = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.of("lobby", "r1", "r2", "private.team-red", "private.other", "zz-flush")
                        .map(s -> (JsonValue) Json.createValue(s))),
                net.jqwik.api.Tuple.of(1, values(1)));
        Arbitrary<JsonValue> user = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.of("other", "fuzzer", "nobody", "flush").map(s -> (JsonValue) Json.createValue(s))),
                net.jqwik.api.Tuple.of(1, values(1)));
        Arbitrary<JsonValue> text = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.strings().all().ofMaxLength(50).map(s -> (JsonValue) Json.createValue(s))),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("", " ", "x".repeat(4001)).map(s -> (JsonValue) Json.createValue(s))),
                net.jqwik.api.Tuple.of(1, values(1)));
        Arbitrary<JsonValue> number = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.longs().between(-2, 200).map(n -> (JsonValue) Json.createValue(n))),
                net.jqwik.api.Tuple.of(1, values(1)));
        Arbitrary<JsonValue> ref = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8).map(s -> (JsonValue) Json.createValue(s))),
                net.jqwik.api.Tuple.of(1, values(1)));
        Arbitrary<String> type = Arbitraries.of("join", "leave", "message", "typing", "direct", "history", "rooms", "ping", "auth",
                "signal", "state");
        Arbitrary<JsonValue> data = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, values(3).map(v -> (JsonValue) Json.createObjectBuilder().add("v", v).build())),
                net.jqwik.api.Tuple.of(1, values(2)));
        return Combinators.combine(type, room, user, text, number, ref, Arbitraries.integers().between(0, 15), data)
                .as((t, r, u, x, n, f, drop, d) -> {
                    JsonObjectBuilder o = Json.createObjectBuilder().add("type", t);
                    switch (t) {
                        case "join" -> {
                            o.add("room", r);
                            if (drop % 3 == 0) {
                                o.add("since", n);
                            }
                        }
                        case "leave", "typing" -> o.add("room", r);
                        case "message" -> {
                            o.add("room", r);
                            if (drop % 5 != 0) {
                                o.add("text", x);
                            }
                            if (drop % 5 < 2) {
                                o.add("data", d);
                            }
                        }
                        case "direct" -> {
                            o.add("to", u).add("text", x);
                            if (drop % 3 == 1) {
                                o.add("data", d);
                            }
                        }
                        case "signal", "state" -> o.add("room", r).add("data", d);
                        case "history" -> o.add("room", r).add(drop % 2 == 0 ? "limit" : "before", n);
                        case "auth" -> o.add("token", x);
                        default -> { }
                    }
                    if (drop % 4 != 0) {
                        o.add("ref", f);
                    }
                    if (drop == 15) {
                        o.remove(t.equals("direct") ? "to" : "room");
                    }
                    return o.build().toString();
                });
    }

    /** JSON values of every kind, nested up to {@code depth}. */
    static Arbitrary<JsonValue> values(int depth) {
        Arbitrary<JsonValue> scalars = Arbitraries.oneOf(
                Arbitraries.of(ROOMS).map(Json::createValue),
                Arbitraries.strings().all().ofMaxLength(40).map(Json::createValue),
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(33).map(Json::createValue),
                Arbitraries.longs().map(Json::createValue),
                Arbitraries.of(0L, -1L, 1L, 100L, 101L, Long.MAX_VALUE, Long.MIN_VALUE).map(Json::createValue),
                Arbitraries.of("1.5", "1e999999", "-0", "1E2", "9223372036854775808", "0.0000001")
                        .map(s -> (JsonValue) Json.createValue(new BigDecimal(s))),
                Arbitraries.of(JsonValue.TRUE, JsonValue.FALSE, JsonValue.NULL));
        if (depth == 0) {
            return scalars;
        }
        Arbitrary<JsonValue> inner = values(depth - 1);
        Arbitrary<JsonValue> arrays = inner.list().ofMaxSize(3).map(l -> {
            JsonArrayBuilder a = Json.createArrayBuilder();
            l.forEach(a::add);
            return a.build();
        });
        Arbitrary<JsonValue> objects = Combinators.combine(Arbitraries.of(FIELDS), inner).as(net.jqwik.api.Tuple::of)
                .list().ofMaxSize(3).map(l -> {
                    JsonObjectBuilder o = Json.createObjectBuilder();
                    l.forEach(t -> o.add(t.get1(), t.get2()));
                    return o.build();
                });
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(8, scalars), net.jqwik.api.Tuple.of(1, arrays),
                net.jqwik.api.Tuple.of(1, objects));
    }

    /** A valid-looking frame cut short, with a character inserted, or with a second object appended. */
    static Arbitrary<String> mutated() {
        Arbitrary<String> base = jsonObjects();
        return Combinators.combine(base, Arbitraries.integers().between(0, 1000), Arbitraries.chars(),
                Arbitraries.integers().between(0, 2)).as((s, at, c, how) -> {
            int i = Math.min(at, s.length());
            return switch (how) {
                case 0 -> s.substring(0, i);
                case 1 -> s.substring(0, i) + c + s.substring(i);
                default -> s + s.substring(0, i);
            };
        });
    }

    /** A fixed sequence of generated frames from a seed, for use outside a property (live tests). */
    public static List<String> sample(long seed, int count) {
        net.jqwik.api.sessions.JqwikSession.start(Long.toString(seed));
        try {
            Random random = new Random(seed);
            var generator = frames().generator(100);
            return java.util.stream.Stream.generate(() -> generator.next(random).value()).limit(count).toList();
        } finally {
            net.jqwik.api.sessions.JqwikSession.finish();
        }
    }

    /** For readers of a failing sample: the frame shortened for a message. */
    public static Function<String, String> shortened() {
        return s -> s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
