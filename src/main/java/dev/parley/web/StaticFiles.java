package dev.parley.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves the WAR's static files (the page, its scripts and styles) itself, the same way on every server: gzip
 * compressed when the client accepts gzip, and cached by the browser with revalidation ({@code Cache-Control:
 * no-cache}, a strong {@code ETag} per representation and {@code Last-Modified}), so a reload costs a 304 unless
 * the file changed. Payara's, WildFly's and TomEE's default servlets differ in all of these (and none compresses
 * by default), so this filter answers GET and HEAD for existing files before they are reached; every other
 * request (the WebSocket upgrade, the HTTP API, protocol.json, WEB-INF) passes through untouched.
 *
 * <p>Files are read once into memory ({@link StaticFile}), compressed once, and read again only when their
 * last-modified time changes (an exploded WAR during development). Thread-safe; the cache is bounded by the
 * WAR's own static files.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class StaticFiles extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(StaticFiles.class.getName());

    /** What every static answer says about caching: keep it, but ask (If-None-Match) before using it again. */
    static final String CACHE_CONTROL = "no-cache";
    /** Files larger than this are left to the container (none of the page's are anywhere near it). */
    private static final long MAX_CACHED_BYTES = 4L * 1024 * 1024;

    private final transient Map<String, StaticFile> files = new ConcurrentHashMap<>();

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String method = request.getMethod();
        String path = resourcePath(request);
        StaticFile file = ("GET".equals(method) || "HEAD".equals(method)) && path != null ? file(path) : null;
        if (file == null) {
            chain.doFilter(request, response);
            return;
        }
        boolean gzip = file.compressed() != null && AcceptEncoding.allowsGzip(request.getHeader("Accept-Encoding"));
        String etag = gzip ? file.gzipEtag() : file.etag();
        response.setHeader("Cache-Control", CACHE_CONTROL);
        response.setHeader("ETag", etag);
        response.setDateHeader("Last-Modified", file.lastModified());
        if (file.compressed() != null) {
            response.setHeader("Vary", "Accept-Encoding");
        }
        if (file.matches(request.getHeader("If-None-Match"))
                || (request.getHeader("If-None-Match") == null && notModifiedSince(request, file))) {
            response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
            return;
        }
        byte[] body = gzip ? file.compressed() : file.bytes();
        response.setContentType(file.contentType());
        if (gzip) {
            response.setHeader("Content-Encoding", "gzip");
        }
        response.setContentLength(body.length);
        if ("GET".equals(method)) {
            response.getOutputStream().write(body);
        }
    }

    /** True when If-Modified-Since is at or after the file's time (HTTP dates have whole seconds). */
    private static boolean notModifiedSince(HttpServletRequest request, StaticFile file) {
        long since;
        try {
            since = request.getDateHeader("If-Modified-Since");
        } catch (IllegalArgumentException unreadable) {
            return false;
        }
        return since >= 0 && file.lastModified() / 1000 <= since / 1000;
    }

    /**
     * The file a request names inside the WAR ({@code index.html} for a folder ending in '/'), or null for a path that
     * is not a plain public file name: anything under WEB-INF or META-INF, with "..", a backslash or an escape, or
     * without an extension (a folder: the container redirects or lists it, as it would without this filter).
     */
    static String resourcePath(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        if (uri == null || !uri.startsWith(context)) {
            return null;
        }
        String path = uri.substring(context.length());
        if (path.endsWith("/")) {
            path = path + "index.html";
        }
        if (path.lastIndexOf('.') <= path.lastIndexOf('/')) {
            return null;
        }
        String upper = path.toUpperCase(java.util.Locale.ROOT);
        if (!path.startsWith("/") || path.contains("..") || path.contains("\\") || path.contains("%")
                || path.contains("//") || upper.startsWith("/WEB-INF") || upper.startsWith("/META-INF")) {
            return null;
        }
        return path;
    }

    /** The file at {@code path}, read (again) if it is new or changed; null when there is none or it cannot be read. */
    private StaticFile file(String path) {
        URL url;
        try {
            url = getServletContext().getResource(path);
        } catch (IOException e) { // MalformedURLException
            return null;
        }
        if (url == null) {
            files.remove(path);
            return null;
        }
        try {
            URLConnection connection = url.openConnection();
            connection.setUseCaches(false); // a jar: URL would otherwise keep the WAR file open
            long modified = connection.getLastModified();
            StaticFile known = files.get(path);
            if (known != null && known.lastModified() == roundedToSeconds(modified)) {
                connection.getInputStream().close();
                return known;
            }
            if (connection.getContentLengthLong() > MAX_CACHED_BYTES) {
                connection.getInputStream().close();
                return null;
            }
            byte[] bytes;
            try (InputStream in = connection.getInputStream()) {
                bytes = in.readNBytes((int) MAX_CACHED_BYTES + 1);
            }
            if (bytes.length > MAX_CACHED_BYTES) {
                return null;
            }
            StaticFile file = StaticFile.of(bytes, contentType(path), roundedToSeconds(modified));
            files.put(path, file);
            return file;
        } catch (IOException e) {
            // A folder without index.html and the like: not a file this filter serves.
            LOG.log(Level.FINE, "not serving " + path + " as a static file", e);
            return null;
        }
    }

    /** Last-Modified has whole seconds; a time of 0 (unknown) becomes the time the filter first read the file. */
    private static long roundedToSeconds(long millis) {
        return millis <= 0 ? 0 : millis / 1000 * 1000;
    }

    /** The file's media type, with charset=UTF-8 for text (every text file of the page is UTF-8). */
    private String contentType(String path) {
        // Some servers map .ts to video/mp2t (MPEG transport streams); here it is TypeScript (parley.d.ts).
        String type = path.endsWith(".ts") ? "application/typescript" : getServletContext().getMimeType(path);
        if (type == null) {
            type = path.endsWith(".js") || path.endsWith(".mjs") ? "text/javascript" : "application/octet-stream";
        }
        return StaticFile.isText(type) && !type.contains("charset") ? type + ";charset=UTF-8" : type;
    }
}
