package dev.parley.web;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StaticFileTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "none", value = {
            "gzip, deflate, br|true", "br;q=1.0, gzip;q=0.8|true", "GZIP|true", "x-gzip|true", "*|true",
            "none|false", "identity|false", "gzip;q=0|false", "gzip;q=0.0, *|false", "*;q=0|false", "br, *;q=0.1|true",
            "deflate, br|false", "gzip;q=oops|false"})
    void gzipIsUsedOnlyWhenTheClientAcceptsIt(String header, boolean gzip) {
        assertEquals(gzip, AcceptEncoding.allowsGzip(header), () -> "Accept-Encoding: " + header);
    }

    @Test
    void textIsCompressedOnceAndEachRepresentationHasItsOwnStrongEtag() throws IOException {
        byte[] page = "<!doctype html><title>Parley</title>".repeat(40).getBytes(StandardCharsets.UTF_8);
        StaticFile file = StaticFile.of(page, "text/html;charset=UTF-8", 1_700_000_000_000L);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(file.compressed()))) {
            assertArrayEquals(page, in.readAllBytes());
        }
        assertTrue(file.compressed().length < page.length / 4, "repetitive text shrinks");
        assertTrue(file.etag().matches("\"[A-Za-z0-9_-]+\""), file.etag());
        assertNotEquals(file.etag(), file.gzipEtag());
        assertTrue(file.matches(file.etag()) && file.matches("W/" + file.gzipEtag()) && file.matches("\"x\", " + file.etag()));
        assertTrue(file.matches("*"));
        assertFalse(file.matches("\"other\""));
        assertNotEquals(file.etag(), StaticFile.of("changed".repeat(100).getBytes(StandardCharsets.UTF_8), "text/html", 0).etag());
    }

    @Test
    void imagesAndTinyFilesAreSentAsTheyAre() {
        assertNull(StaticFile.of(new byte[4096], "image/png", 0).compressed());
        assertNull(StaticFile.of("tiny".getBytes(StandardCharsets.UTF_8), "text/css", 0).compressed());
        assertTrue(StaticFile.isText("text/javascript") && StaticFile.isText("application/json")
                && StaticFile.isText("application/typescript") && StaticFile.isText("image/svg+xml"));
    }
}
