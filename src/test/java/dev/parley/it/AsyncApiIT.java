package dev.parley.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.parley.it.support.Deployments;
import dev.parley.it.support.TestClient;
import dev.parley.testing.Tokens;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/asyncapi.yaml describes what the server really sends: a conversation that makes the server send
 * every kind of frame is recorded, and each frame is validated against the document's schema for its type.
 * The document's own examples are validated too, so it cannot drift from itself.
 */
@ExtendWith(ArquillianExtension.class)
@Timeout(60)
class AsyncApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode document;
    private static Map<String, JsonSchema> serverSchemas;
    private static Map<String, JsonSchema> clientSchemas;

    /** Token mode, so that the conversation can include {@code auth} and its answer. */
    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley("parley.auth.mode=token\nparley.auth.hs256-secret=" + Tokens.SECRET + "\n");
    }

    @ArquillianResource
    URL base;

    @BeforeAll
    static void readTheDocument() throws IOException {
        document = new ObjectMapper(new YAMLFactory()).readTree(new File("docs/asyncapi.yaml"));
        assertTrue(document.path("asyncapi").asText().startsWith("3."), "an AsyncAPI 3 document");
        serverSchemas = schemasOf("sendServerFrames");
        clientSchemas = schemasOf("receiveClientFrames");
    }

    /** Frame type -> payload schema, for every message of an operation, following the document's $refs. */
    private static Map<String, JsonSchema> schemasOf(String operation) {
        Map<String, JsonSchema> byType = new LinkedHashMap<>();
        for (JsonNode ref : document.path("operations").path(operation).path("messages")) {
            JsonNode message = resolve(resolve(ref).path("$ref").isMissingNode() ? ref : resolve(ref));
            String payloadRef = message.path("payload").path("$ref").asText();
            String type = resolve(message.path("payload")).path("properties").path("type").path("const").asText();
            assertTrue(!type.isEmpty(), "payload of " + ref + " has a type const");
            byType.put(type, schema(payloadRef));
        }
        return byType;
    }

    private static JsonNode resolve(JsonNode node) {
        String ref = node.path("$ref").asText(null);
        return ref == null ? node : document.at(ref.substring(1));
    }

    /** A schema for one component, resolving its $refs inside the whole document. */
    private static JsonSchema schema(String pointer) {
        ObjectNode root = document.deepCopy();
        root.put("$ref", pointer);
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(root);
    }

    private static List<String> validate(Map<String, JsonSchema> schemas, JsonNode frame) {
        JsonSchema schema = schemas.get(frame.path("type").asText());
        if (schema == null) {
            return List.of("no schema for " + frame);
        }
        List<String> problems = new ArrayList<>();
        for (ValidationMessage m : schema.validate(frame)) {
            problems.add(frame + ": " + m.getMessage());
        }
        return problems;
    }

    /**
     * Pings, and adds every frame received until the pong and a frame matching {@code last} have both come
     * (stored messages are answered after the database commit, so they may come after the pong).
     */
    private static void collectUntil(TestClient c, String ref, Predicate<JsonObject> last, List<JsonObject> frames) {
        c.send("{\"type\":\"ping\",\"ref\":\"" + ref + "\"}");
        boolean ponged = false;
        boolean seen = false;
        while (!ponged || !seen) {
            JsonObject f = c.next();
            frames.add(f);
            ponged |= "pong".equals(f.getString("type")) && ref.equals(f.getString("ref", null));
            seen |= last.test(f);
        }
    }

    @Test
    void theDocumentsExamplesMatchItsSchemas() {
        List<String> problems = new ArrayList<>();
        for (String op : List.of("sendServerFrames", "receiveClientFrames")) {
            Map<String, JsonSchema> schemas = op.startsWith("send") ? serverSchemas : clientSchemas;
            for (JsonNode ref : document.path("operations").path(op).path("messages")) {
                for (JsonNode example : resolve(resolve(ref)).path("examples")) {
                    problems.addAll(validate(schemas, example.path("payload")));
                }
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(18, serverSchemas.size(), serverSchemas.keySet()::toString);
        assertEquals(14, clientSchemas.size(), clientSchemas.keySet()::toString);
    }

    @Test
    void everyFrameTheServerSendsMatchesItsSchema() throws IOException {
        List<JsonObject> frames = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        try (TestClient alice = TestClient.withToken(Deployments.chat(base, null), "aa-alice", List.of()); TestClient bob = TestClient.withToken(Deployments.chat(base, null), "aa-bob", List.of());
             TestClient carol = TestClient.withToken(Deployments.chat(base, "features=presence-diff"), "aa-carol", List.of())) {
            String[] script = {
                    "{\"type\":\"join\",\"room\":\"aa-room\",\"ref\":\"j\"}",
                    "{\"type\":\"message\",\"room\":\"aa-room\",\"text\":\"hello\",\"ref\":\"m1\"}",
                    "{\"type\":\"message\",\"room\":\"aa-room\",\"data\":{\"kind\":\"stroke\",\"points\":[[0.1,0.2]]},\"ref\":\"m2\"}",
                    "{\"type\":\"signal\",\"room\":\"aa-room\",\"data\":{\"x\":0.5,\"y\":0.25}}",
                    "{\"type\":\"state\",\"room\":\"aa-room\",\"data\":{\"colour\":\"#e33\"}}",
                    "{\"type\":\"typing\",\"room\":\"aa-room\"}",
                    "{\"type\":\"direct\",\"to\":\"aa-bob\",\"text\":\"psst\",\"ref\":\"d0\"}",
                    "{\"type\":\"direct\",\"to\":\"aa-bob\",\"data\":{\"move\":\"e4\"},\"ref\":\"d1\"}",
                    "{\"type\":\"history\",\"room\":\"aa-room\",\"limit\":10,\"ref\":\"h\"}",
                    "{\"type\":\"history\",\"with\":\"aa-bob\",\"since\":0,\"ref\":\"hd\"}",
                    "{\"type\":\"conversations\",\"ref\":\"c\"}",
                    "{\"type\":\"read\",\"room\":\"aa-room\",\"seq\":1,\"ref\":\"rd1\"}",
                    "{\"type\":\"read\",\"with\":\"aa-bob\",\"seq\":1,\"ref\":\"rd2\"}",
                    "{\"type\":\"rooms\",\"ref\":\"r\"}",
                    "{\"type\":\"ping\",\"ref\":\"p\"}",
                    "{\"type\":\"auth\",\"token\":\"" + Tokens.hs256("aa-alice", Duration.ofHours(2), List.of()) + "\",\"ref\":\"a\"}",
            };
            String[] leaving = {
                    "{\"type\":\"leave\",\"room\":\"aa-room\",\"ref\":\"l\"}",
                    "{\"type\":\"leave\",\"room\":\"aa-room\",\"ref\":\"l2\"}",
            };
            bob.send("{\"type\":\"join\",\"room\":\"aa-room\"}");
            collectUntil(bob, "ready", f -> "joined".equals(f.getString("type")) && "aa-room".equals(f.getString("room")), frames);
            // carol asked for presence diffs, and pages the members
            String members = "{\"type\":\"members\",\"room\":\"aa-room\",\"limit\":10,\"ref\":\"mm\"}";
            carol.send("{\"type\":\"join\",\"room\":\"aa-room\"}");
            collectUntil(carol, "ready", f -> "joined".equals(f.getString("type")) && "aa-room".equals(f.getString("room")), frames);
            carol.send(members);
            sent.add(members);
            collectUntil(carol, "paged", f -> "members".equals(f.getString("type")), frames);
            for (String frame : script) {
                alice.send(frame);
                sent.add(frame);
            }
            collectUntil(alice, "end", f -> "read".equals(f.getString("type")) && "rd2".equals(f.getString("ref", null)), frames);
            frames.add(alice.pushedConversations()); // the one sent on connect
            collectUntil(bob, "end", f -> "direct".equals(f.getString("type")) && "d1".equals(f.getString("ref", null)), frames);
            // Joined again (harmless) while alice is still in the room with her state: joined carries it.
            bob.send("{\"type\":\"join\",\"room\":\"aa-room\",\"ref\":\"again\"}");
            collectUntil(bob, "end2", f -> "joined".equals(f.getString("type")) && f.containsKey("state"), frames);
            for (String frame : leaving) {
                alice.send(frame);
                sent.add(frame);
            }
            collectUntil(alice, "end3", f -> "error".equals(f.getString("type")) && "l2".equals(f.getString("ref", null)), frames);
            collectUntil(carol, "end4", f -> "presence_diff".equals(f.getString("type")) && f.containsKey("leaves"), frames);
        }
        List<String> problems = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (JsonObject f : frames) {
            seen.add(f.getString("type"));
            problems.addAll(validate(serverSchemas, JSON.readTree(f.toString())));
        }
        for (String f : sent) {
            problems.addAll(validate(clientSchemas, JSON.readTree(f)));
        }
        assertEquals(List.of(), problems);
        assertEquals(new TreeSet<>(serverSchemas.keySet()), seen, "the conversation covered every documented server frame");
    }
}
