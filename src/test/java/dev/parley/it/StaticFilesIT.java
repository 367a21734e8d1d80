package dev.parley.it;

import dev.parley.it.support.Deployments;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The page's static files as a browser fetches them, with the JDK's HTTP client: gzip when accepted (and only
 * then), {@code Cache-Control: no-cache} with a strong ETag and Last-Modified, 304 on revalidation, and the bytes of
 * the files in the WAR; other paths (protocol.json, the HTTP API) untouched. One of the core ITs, so it runs on
 * Payara Micro, WildFly and TomEE alike.
 */
@ExtendWith(ArquillianExtension.class)
@Timeout(60)
class StaticFilesIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley();
    }

    @ArquillianResource
    URL base;

    private HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(Deployments.http(base, path)).timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] gunzip(byte[] body) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
    }

    private static byte[] shipped(String file) throws IOException {
        return Files.readAllBytes(Path.of("src/main/webapp", file));
    }

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    void everyFileOfThePageIsGzippedWhenTheBrowserAcceptsItAndCachedWithRevalidation() throws Exception {
        for (String file : new String[]{"index.html", "app.js", "app.css", "parley.js", "board.html"}) {
            HttpResponse<byte[]> r = get(file, "Accept-Encoding", "gzip, deflate, br");
            assertEquals(200, r.statusCode(), file);
            assertEquals("gzip", header(r, "Content-Encoding"), file);
            assertArrayEquals(shipped(file), gunzip(r.body()), file + ": the file's own bytes");
            assertTrue(r.body().length < shipped(file).length, file + " is smaller compressed");
            assertEquals("no-cache", header(r, "Cache-Control"), file);
            assertTrue(header(r, "ETag").matches("\"[A-Za-z0-9_-]+-gz\""), () -> file + ": " + header(r, "ETag"));
            assertTrue(header(r, "Last-Modified") != null, file);
            assertEquals("Accept-Encoding", header(r, "Vary"), file);
        }
        HttpResponse<byte[]> js = get("parley.js", "Accept-Encoding", "gzip");
        assertTrue(header(js, "Content-Type").startsWith("text/javascript") || header(js, "Content-Type").startsWith("application/javascript"),
                () -> header(js, "Content-Type"));
    }

    @Test
    void aBrowserThatDoesNotAcceptGzipGetsTheFileAsItIs() throws Exception {
        for (String[] headers : new String[][]{{}, {"Accept-Encoding", "identity"}, {"Accept-Encoding", "gzip;q=0, br"}}) {
            HttpResponse<byte[]> r = get("app.js", headers);
            assertEquals(200, r.statusCode());
            assertFalse(r.headers().firstValue("Content-Encoding").isPresent(), () -> String.join(" ", headers));
            assertArrayEquals(shipped("app.js"), r.body());
            assertEquals(String.valueOf(shipped("app.js").length), header(r, "Content-Length"));
            assertEquals("no-cache", header(r, "Cache-Control"));
        }
    }

    @Test
    void revalidatingAnUnchangedFileCostsA304WithoutBody() throws Exception {
        HttpResponse<byte[]> first = get("index.html", "Accept-Encoding", "gzip");
        String etag = header(first, "ETag");
        HttpResponse<byte[]> again = get("index.html", "Accept-Encoding", "gzip", "If-None-Match", etag);
        assertEquals(304, again.statusCode());
        assertEquals(0, again.body().length);
        assertEquals(etag, header(again, "ETag"));
        assertEquals("no-cache", header(again, "Cache-Control"));
        HttpResponse<byte[]> plain = get("index.html");
        assertNotEquals(etag, header(plain, "ETag"), "the identity body has an ETag of its own");
        assertEquals(304, get("index.html", "If-None-Match", header(plain, "ETag")).statusCode());
        assertEquals(304, get("index.html", "If-Modified-Since", header(plain, "Last-Modified")).statusCode());
        assertEquals(200, get("index.html", "If-None-Match", "\"something-else\"").statusCode());
    }

    @Test
    void theContextRootServesThePageAndOtherPathsAreLeftAlone() throws Exception {
        HttpResponse<byte[]> root = get("", "Accept-Encoding", "gzip");
        assertEquals(200, root.statusCode());
        assertArrayEquals(shipped("index.html"), gunzip(root.body()));
        HttpResponse<byte[]> protocol = get("protocol.json");
        assertEquals(200, protocol.statusCode());
        assertTrue(new String(protocol.body(), java.nio.charset.StandardCharsets.UTF_8).startsWith("{\"protocol\":1"));
        assertEquals(404, get("no-such-file.js").statusCode());
        int hidden = get("WEB-INF/beans.xml").statusCode();
        assertTrue(hidden == 404 || hidden == 403, () -> "WEB-INF stays hidden: " + hidden);
        HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(Deployments.http(base, "app.css"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals("no-cache", header(head, "Cache-Control"));
    }
}
