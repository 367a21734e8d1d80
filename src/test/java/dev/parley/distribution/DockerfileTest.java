package dev.parley.distribution;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Dockerfile agrees with the build, checked everywhere (building the image needs a Docker daemon, which
 * {@code DockerImageIT} uses where there is one): the base image is the Payara Micro the tests run on, it copies the
 * WAR the build makes, keeps the data folder on a volume, and its health check asks readiness on the port served.
 */
class DockerfileTest {

    private static final Path DOCKERFILE = Path.of("Dockerfile");

    @Test
    void theBaseImageIsTheOfficialPayaraMicroOfThePomOnJava17() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher version = Pattern.compile("<payara.version>([^<]+)</payara.version>").matcher(pom);
        assertTrue(version.find());
        String dockerfile = Files.readString(DOCKERFILE);
        assertTrue(dockerfile.contains("ARG PAYARA_IMAGE=payara/micro:" + version.group(1) + "-jdk17\n"),
                "the Dockerfile's base image is payara/micro:" + version.group(1) + "-jdk17");
        assertTrue(dockerfile.contains("FROM ${PAYARA_IMAGE}\n"));
    }

    @Test
    void theImageHoldsTheBuiltWarAtTheRootAndItsDataOnAVolume() throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);
        assertTrue(dockerfile.contains("COPY --chown=payara:payara target/parley.war /opt/payara/deployments/ROOT.war\n"));
        assertTrue(dockerfile.contains("VOLUME /opt/payara/data\n"));
        assertTrue(dockerfile.contains("ENV PARLEY_DATA_DIR=/opt/payara/data\n"));
        // The build context holds the WAR only (target/ also has Payara Micro and test servers).
        assertEquals("*\n!target/parley.war", Files.readString(Path.of(".dockerignore")).lines()
                .filter(l -> !l.startsWith("#")).reduce((a, b) -> a + "\n" + b).orElse(""));
    }

    @Test
    void everyExecFormIsValidJsonSoDockerDoesNotFallBackToAShell() throws IOException {
        // Docker runs an instruction whose [...] is not valid JSON through /bin/sh -c as plain text, silently.
        Matcher exec = Pattern.compile("(?m)^\\s*(?:ENTRYPOINT|CMD|HEALTHCHECK[^\\n]*\\\\\\n\\s+CMD) (\\[.*])$").matcher(Files.readString(DOCKERFILE));
        int forms = 0;
        while (exec.find()) {
            try (jakarta.json.JsonReader r = jakarta.json.Json.createReader(new java.io.StringReader(exec.group(1)))) {
                jakarta.json.JsonArray array = r.readArray();
                assertTrue(array.stream().allMatch(v -> v.getValueType() == jakarta.json.JsonValue.ValueType.STRING), exec.group(1));
            }
            forms++;
        }
        assertEquals(3, forms, "ENTRYPOINT, CMD and the health check's CMD in exec form");
    }

    @Test
    void theHealthCheckAsksReadinessOnThePortTheServerListensOn() throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);
        Matcher port = Pattern.compile("CMD \\[[^\\]]*\"--port\", \"(\\d+)\"").matcher(dockerfile);
        assertTrue(port.find(), "the CMD names the port");
        assertTrue(dockerfile.contains("EXPOSE " + port.group(1) + "\n"));
        Matcher health = Pattern.compile("HEALTHCHECK [^\\n]*\\\\\\n\\s+CMD [^\\n]*/dev/tcp/127\\.0\\.0\\.1/(\\d+)[^\\n]*GET /health/ready ")
                .matcher(dockerfile);
        assertTrue(health.find(), "a HEALTHCHECK on /health/ready");
        assertEquals(port.group(1), health.group(1));
    }
}
