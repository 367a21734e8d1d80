package dev.parley.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * One static file as served: its bytes, its gzip encoding (null when not worth it: not text, tiny, or no
 * smaller), its media type, its last-modified time and a strong ETag for each representation (the gzip one ends
 * in {@code -gz}, since the two bodies differ). Immutable.
 */
record StaticFile(byte[] bytes, byte[] compressed, String contentType, long lastModified, String etag) {

    /** Smaller files are sent as they are: compressing them saves less than its headers cost. */
    static final int MIN_COMPRESSED_BYTES = 256;

    /** Reads the file into one, compressing it once if it is text worth compressing. */
    static StaticFile of(byte[] bytes, String contentType, long lastModified) {
        byte[] gz = isText(contentType) && bytes.length >= MIN_COMPRESSED_BYTES ? gzip(bytes) : null;
        if (gz != null && gz.length >= bytes.length) {
            gz = null;
        }
        return new StaticFile(bytes, gz, contentType, lastModified, "\"" + digest(bytes) + "\"");
    }

    /** Text, scripts and structured text compress well; images and fonts are compressed already. */
    static boolean isText(String contentType) {
        String t = contentType.toLowerCase(Locale.ROOT);
        return t.startsWith("text/") || t.contains("javascript") || t.contains("json") || t.contains("xml")
                || t.contains("typescript") || t.startsWith("image/svg");
    }

    /** The ETag of the gzip representation. */
    String gzipEtag() {
        return etag.substring(0, etag.length() - 1) + "-gz\"";
    }

    /**
     * Whether an If-None-Match header names this file, in either representation (weak comparison, RFC 9110
     * 13.1.2: a {@code W/} prefix is ignored; {@code *} matches any).
     */
    boolean matches(String ifNoneMatch) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.trim();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals("*") || t.equals(etag) || t.equals(gzipEtag())) {
                return true;
            }
        }
        return false;
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: does not happen
        }
        return out.toByteArray();
    }

    private static String digest(byte[] bytes) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(hash, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
