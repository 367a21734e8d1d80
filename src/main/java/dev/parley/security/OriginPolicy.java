package dev.parley.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Decides which web pages may open a WebSocket to Parley, against cross-site WebSocket hijacking: a browser
 * sends the page's Origin with the upgrade, and sends the user's cookies whatever the origin. Entries of
 * {@code parley.origins}: {@code self} (the origin whose scheme is the request's own and whose host and port
 * equal the request's Host header),
 * {@code localhost} (http or https on localhost, 127.0.0.1 or [::1], any port), {@code *} (any), or an exact
 * origin such as {@code https://chat.example.com}. A request without Origin is not from a browser page and
 * is allowed (non-browser clients can send any Origin they like anyway). The request's scheme is the one the
 * server saw, or the {@code X-Forwarded-Proto} header's when {@code parley.origin.trust-forwarded-proto} is
 * true (only behind a TLS proxy that sets it). Thread-safe.
 */
@ApplicationScoped
public class OriginPolicy {

    /** Entry for the server's own origin, judged from the Host header. */
    public static final String SELF = "self";
    /** Entry for pages served from the local machine. */
    public static final String LOCALHOST = "localhost";
    /** Entry that allows every origin. */
    public static final String ANY = "*";

    /** The setting that makes {@link #schemeOf} believe a proxy's {@code X-Forwarded-Proto} header. */
    public static final String TRUST_FORWARDED_PROTO = "parley.origin.trust-forwarded-proto";

    private final List<String> allowed;
    private final boolean trustForwardedProto;

    @Inject
    public OriginPolicy(SecuritySettings settings, Config config) {
        this(settings.origins(), config.getOptionalValue(TRUST_FORWARDED_PROTO, Boolean.class).orElse(false));
    }

    /** A policy over an explicit list of entries that trusts no forwarded header (for tests and tools). */
    public OriginPolicy(List<String> allowed) {
        this(allowed, false);
    }

    /** A policy over an explicit list of entries, trusting {@code X-Forwarded-Proto} or not. */
    public OriginPolicy(List<String> allowed, boolean trustForwardedProto) {
        this.allowed = allowed == null ? null : allowed.stream().map(OriginPolicy::normalize).toList();
        this.trustForwardedProto = trustForwardedProto;
    }

    /** For CDI's proxy only. */
    protected OriginPolicy() {
        this.allowed = null;
        this.trustForwardedProto = false;
    }

    /**
     * The scheme ({@code http} or {@code https}) the client used to reach this server: the one the server saw
     * ({@code secure} or not), or the first value of {@code forwardedProto} (an {@code X-Forwarded-Proto}
     * header, null when absent) if the operator trusts it and it is {@code http} or {@code https}. Never null.
     */
    public String schemeOf(boolean secure, String forwardedProto) {
        if (trustForwardedProto && forwardedProto != null) {
            String first = normalize(forwardedProto.split(",", 2)[0]);
            if (first.equals("http") || first.equals("https")) {
                return first;
            }
        }
        return secure ? "https" : "http";
    }

    /**
     * Whether a handshake with this Origin header (null when absent), Host header (null when absent) and request
     * scheme ({@link #schemeOf}; null when unknown, then {@code self} compares host and port only) may proceed.
     */
    public boolean allows(String origin, String host, String scheme) {
        if (origin == null) {
            return true;
        }
        String o = normalize(origin);
        URI uri = parse(o);
        for (String entry : allowed) {
            if (entry.equals(ANY) || entry.equals(o)) {
                return true;
            }
            if (uri == null) {
                continue;
            }
            if (entry.equals(SELF) && host != null && (scheme == null || scheme.equals(uri.getScheme()))
                    && hostPort(uri).equals(hostOf(host, uri.getScheme()))) {
                return true;
            }
            if (entry.equals(LOCALHOST) && isLoopbackName(uri.getHost())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isLoopbackName(String host) {
        return host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"));
    }

    private static URI parse(String origin) {
        try {
            URI uri = URI.create(origin);
            String scheme = uri.getScheme();
            if (uri.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
                return null;
            }
            return uri;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** host:port of an origin, with the scheme's default port made explicit. */
    private static String hostPort(URI origin) {
        int port = origin.getPort() >= 0 ? origin.getPort() : defaultPort(origin.getScheme());
        return origin.getHost() + ":" + port;
    }

    /** host:port of a Host header, the port defaulting to the origin's scheme's. */
    private static String hostOf(String hostHeader, String scheme) {
        String h = normalize(hostHeader);
        int colon = h.lastIndexOf(':');
        boolean hasPort = colon > h.lastIndexOf(']') && colon > 0;
        return hasPort ? h : h + ":" + defaultPort(scheme);
    }

    private static int defaultPort(String scheme) {
        return "https".equals(scheme) ? 443 : 80;
    }

    private static String normalize(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        return t.endsWith("/") ? t.substring(0, t.length() - 1) : t;
    }
}
