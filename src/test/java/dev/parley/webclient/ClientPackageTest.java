package dev.parley.webclient;

import dev.parley.testing.Needs;
import dev.parley.testing.Prerequisite;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code parley.js} as the npm package {@code @parley/client} ({@code src/main/webapp/package.json}): its JSDoc
 * type-checks with the pinned TypeScript ({@code tsc --checkJs --noEmit}), the shipped {@code parley.d.ts} is what
 * tsc generates from that JSDoc today, the package holds exactly the library, its types and its manifest, and a
 * TypeScript and a Node consumer importing {@code @parley/client} get the types and the module through {@code exports}.
 */
@Needs({Prerequisite.NODE, Prerequisite.NPM})
@Timeout(600)
class ClientPackageTest {

    private static final Path WEBAPP = Path.of("src/main/webapp").toAbsolutePath();
    private static final Path TOOLS = Path.of("src/test/js/typescript").toAbsolutePath();
    private static final Path WORK = Path.of("target", "typescript").toAbsolutePath();
    private static Path tsc;

    @BeforeAll
    static void installThePinnedTypeScript() throws IOException, InterruptedException {
        Files.createDirectories(WORK);
        boolean same = Files.exists(WORK.resolve("package-lock.json"))
                && Files.mismatch(WORK.resolve("package-lock.json"), TOOLS.resolve("package-lock.json")) == -1
                && Files.exists(WORK.resolve("node_modules/typescript/bin/tsc"));
        if (!same) {
            for (String f : List.of("package.json", "package-lock.json")) {
                Files.copy(TOOLS.resolve(f), WORK.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
            Result install = run(WORK, 300, Prerequisite.NPM_BINARY, "ci", "--ignore-scripts", "--no-audit", "--no-fund");
            assertEquals(0, install.code(), () -> "npm ci (TypeScript for the type check) failed:\n" + install.output());
        }
        tsc = WORK.resolve("node_modules/typescript/bin/tsc");
    }

    @Test
    void theJsDocTypeChecks() throws Exception {
        Result check = tsc("-p", TOOLS.resolve("tsconfig.json").toString(), "--noEmit");
        assertEquals(0, check.code(), () -> "tsc --checkJs found errors in parley.js:\n" + check.output());
    }

    @Test
    void theShippedDeclarationsAreTheOnesGeneratedFromTheJsDoc() throws Exception {
        Path out = WORK.resolve("generated");
        Result emit = tsc("-p", TOOLS.resolve("tsconfig.json").toString(), "--outDir", out.toString());
        assertEquals(0, emit.code(), emit::output);
        assertEquals(Files.readString(out.resolve("parley.d.ts")), Files.readString(WEBAPP.resolve("parley.d.ts")),
                "src/main/webapp/parley.d.ts is stale: regenerate it as the README says");
    }

    @Test
    void thePackageHoldsTheLibraryItsTypesAndItsManifestOnly() throws Exception {
        Result pack = run(WEBAPP, 120, Prerequisite.NPM_BINARY, "pack", "--dry-run", "--json");
        assertEquals(0, pack.code(), pack::output);
        for (String file : List.of("\"package.json\"", "\"parley.js\"", "\"parley.d.ts\"")) {
            assertTrue(pack.output().contains("\"path\": " + file), () -> file + " missing from the package:\n" + pack.output());
        }
        assertTrue(pack.output().contains("\"entryCount\": 3"), () -> "more than three files in the package:\n" + pack.output());
        assertTrue(pack.output().contains("\"name\": \"@parley/client\""), pack::output);
    }

    @Test
    void typeScriptAndNodeConsumersImportItByItsName() throws Exception {
        // Installed as npm would: the package's files under node_modules/@parley/client.
        Path consumer = WORK.resolve("consumer");
        Path installed = Files.createDirectories(consumer.resolve("node_modules/@parley/client"));
        for (String f : List.of("package.json", "parley.js", "parley.d.ts")) {
            Files.copy(WEBAPP.resolve(f), installed.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.writeString(consumer.resolve("app.mts"), """
                import {ParleyClient, closePolicy, type Message} from '@parley/client';
                const client = new ParleyClient({url: 'wss://chat.example/chat', name: 'alice'});
                const advice: 'retry' | 'slow' | 'reauth' | 'stop' = closePolicy(1001);
                client.on('message', (m: Message) => console.log(m.text, advice));
                const ack: Promise<{ref: string, room: string, seq: number}> = client.send('lobby', 'hi');
                void ack;
                """);
        Result types = tsc("--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext",
                "--target", "es2022", "--lib", "es2022,dom", consumer.resolve("app.mts").toString());
        assertEquals(0, types.code(), () -> "a TypeScript consumer does not compile against @parley/client:\n" + types.output());

        Files.writeString(consumer.resolve("app.mjs"),
                "import {PROTOCOL, closePolicy} from '@parley/client';\nconsole.log(PROTOCOL + ' ' + closePolicy(4401));\n");
        Result node = run(consumer, 60, Prerequisite.NODE_BINARY, "app.mjs");
        assertEquals(0, node.code(), node::output);
        assertEquals("chat reauth", node.output().strip());
    }

    private static Result tsc(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Prerequisite.NODE_BINARY, tsc.toString(), "--pretty", "false"));
        command.addAll(List.of(args));
        return run(WORK, 180, command.toArray(String[]::new));
    }

    private record Result(int code, String output) {
    }

    /** Runs a command in {@code dir}, its output in a file (a hung child is then stopped by the bound, not read forever). */
    private static Result run(Path dir, int seconds, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(WORK, "run", ".log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return new Result(-1, String.join(" ", command) + " did not finish within " + seconds + " s\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        return new Result(p.exitValue(), output);
    }
}
