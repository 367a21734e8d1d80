package dev.parley.protocol;

import dev.parley.testing.Needs;
import dev.parley.testing.Prerequisite;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JavaScript client (src/main/webapp/parley.js) keeps its own table of what to do after each close code, since
 * it must work before it can ask the server anything. This test runs it in Node and fails when it disagrees
 * with {@link CloseCodes}, the server's one source. Needs Node.
 */
@Timeout(60)
@Needs(Prerequisite.NODE)
class ClientContractTest {

    private static final Path PARLEY_JS = Path.of("src/main/webapp/parley.js");

    private static JsonObject client;

    @BeforeAll
    static void askTheJavaScriptClient() throws IOException, InterruptedException {
        String script = """
                const m = await import(process.argv[1]);
                const codes = process.argv.slice(2).map(Number);
                const policy = Object.fromEntries(codes.map((c) => [c, m.closePolicy(c)]));
                console.log(JSON.stringify({table: m.CLOSE_CODES, policy, slow: m.SLOW_DOWN_CODE,
                        unauthorized: m.UNAUTHORIZED_CODE, policyViolation: m.POLICY_VIOLATION_CODE}));
                """;
        var command = new ArrayList<>(List.of(Prerequisite.NODE_BINARY, "--input-type=module", "-e", script, "--",
                PARLEY_JS.toAbsolutePath().toUri().toString()));
        CloseCodes.all().forEach(c -> command.add(String.valueOf(c.code())));
        command.addAll(List.of("1004", "1005", "3000", "4000", "4999"));
        Process node = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(node.waitFor(30, TimeUnit.SECONDS), "node did not finish");
        assertEquals(0, node.exitValue(), out);
        try (JsonReader r = Json.createReader(new StringReader(out))) {
            client = r.readObject();
        }
    }

    @Test
    void parleyJsListsExactlyTheServersCloseCodesWithTheSameAdvice() {
        Map<String, String> server = new TreeMap<>();
        CloseCodes.all().forEach(c -> server.put(String.valueOf(c.code()), c.advice().wire()));
        Map<String, String> js = new TreeMap<>();
        client.getJsonObject("table").forEach((code, advice) -> js.put(code, ((JsonString) advice).getString()));
        assertEquals(server, js);
    }

    @Test
    void parleyJsClosePolicyAgreesWithCloseCodesForEveryCodeAndStopsOnUnknownOnes() {
        Map<String, String> expected = new TreeMap<>();
        Map<String, String> actual = new TreeMap<>();
        client.getJsonObject("policy").forEach((code, advice) -> {
            expected.put(code, CloseCodes.advice(Integer.parseInt(code)).wire());
            actual.put(code, ((JsonString) advice).getString());
        });
        assertEquals(expected, actual);
        assertEquals("stop", actual.get("4999"));
    }

    @Test
    void parleyJsNamesTheSameCodesAsTheServer() {
        assertEquals(CloseCodes.TOO_MANY, client.getInt("slow"));
        assertEquals(CloseCodes.UNAUTHORIZED, client.getInt("unauthorized"));
        assertEquals(CloseCodes.POLICY_VIOLATION, client.getInt("policyViolation"));
    }

    @Test
    void theNamePatternsMeanTheSameInJavaAndInTheBrowsersPatternSyntax() throws IOException {
        // The page compiles these with the v flag (HTML pattern) and without flags: both need '-' escaped.
        assertTrue(Pattern.matches(Names.USER_PATTERN, "alice.b_c-1"));
        assertTrue(Pattern.matches(Names.ROOM_PATTERN, "team:a.b_c-1"));
        String page = Files.readString(Path.of("src/main/webapp/index.html"));
        String app = Files.readString(Path.of("src/main/webapp/app.js"));
        assertTrue(!page.contains("pattern=") && !page.contains("maxlength=\"4000\"") && !app.contains("A-Za-z0-9"),
                "the page keeps a copy of the name syntax or the text limit instead of reading protocol.json");
    }
}
