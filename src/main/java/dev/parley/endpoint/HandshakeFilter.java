package dev.parley.endpoint;

import dev.parley.config.Settings;
import dev.parley.security.OriginPolicy;
import dev.parley.security.TokenVerifier;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpUpgradeHandler;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs on the HTTP request that asks to become the chat WebSocket, before the container upgrades it:
 * refuses a page from a foreign Origin with HTTP 403 (no connection at all) and an absurdly long query with
 * HTTP 414, and passes the client's address and the request's scheme, which the standard {@code HandshakeRequest}
 * does not carry, to the handshake as headers of its own (any such header the client sent is replaced first, so
 * it cannot be forged). This works where the container's
 * upgrade runs as a filter mapped after the application's (Tyrus on Payara and GlassFish, Tomcat's WsFilter);
 * elsewhere the endpoint checks the Origin itself and closes with 4403, and the address is "unknown".
 * <p>
 * Where the container's upgrade goes through this filter's request ({@code HttpServletRequest.upgrade}), the
 * connection's input is read through a {@link FrameGuard} ({@link GuardedUpgrade}), which refuses over-long and
 * unmasked frames from their header; the guard reaches the endpoint through the handshake, which the runtime
 * runs on this thread inside the filter chain ({@link #handshakeGuard()}). Elsewhere nothing is guarded and the
 * runtime's own limits apply.
 */
@WebFilter(urlPatterns = "/chat", asyncSupported = true)
public class HandshakeFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(HandshakeFilter.class.getName());

    /** The request header that carries the client's address to the handshake. */
    static final String ADDRESS_HEADER = "X-Parley-Remote-Address";
    /** The request header that carries the request's scheme ({@link OriginPolicy#schemeOf}) to the handshake. */
    static final String SCHEME_HEADER = "X-Parley-Scheme";

    /** The package of the upgrade handlers whose input is guarded (Tyrus's servlet integration: Payara, GlassFish). */
    private static final String GUARDED_RUNTIME = "org.glassfish.tyrus.";

    /** The guard of the handshake under way on this thread, for {@link HandshakeConfigurator}. */
    private static final ThreadLocal<FrameGuard> HANDSHAKE_GUARD = new ThreadLocal<>();

    /**
     * The longest query string a handshake may carry; longer ones get 414. Room for an {@code access_token} of the
     * longest length Parley verifies (so one just over it still gets its 4401 close) and a name.
     */
    static final int MAX_QUERY_CHARS = TokenVerifier.MAX_TOKEN_CHARS + 1024;
    private static final int SC_URI_TOO_LONG = 414;

    @Inject
    transient OriginPolicy origins;
    @Inject
    transient Settings settings;

    /** Where the Jakarta WebSocket specification puts a web application's server container. */
    private static final String SERVER_CONTAINER = "jakarta.websocket.server.ServerContainer";

    /** At deployment, before any connection: the runtime's per-session idle timer is not needed (see {@link TyrusIdleTimer}). */
    @Override
    public void init() throws ServletException {
        super.init();
        if (TyrusIdleTimer.turnOffForNewSessions(getServletContext().getAttribute(SERVER_CONTAINER))) {
            LOG.info("Tyrus's idle timer is off for new connections: Parley's watchdog times out idle connections");
        }
    }

    /** The frame guard of the upgrade request this thread is handling inside the filter chain, or null. */
    static FrameGuard handshakeGuard() {
        return HANDSHAKE_GUARD.get();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String query = request.getQueryString();
        if (query != null && query.length() > MAX_QUERY_CHARS) {
            // Grizzly and Tomcat refuse such a request line themselves; WildFly (Undertow) accepts up to 1 MB.
            response.sendError(SC_URI_TOO_LONG, "query string too long");
            return;
        }
        String origin = request.getHeader("Origin");
        String scheme = origins.schemeOf(request.isSecure(), request.getHeader("X-Forwarded-Proto"));
        if (!origins.allows(origin, request.getHeader("Host"), scheme)) {
            LOG.fine(() -> "refused a handshake from origin " + printable(origin));
            response.sendError(HttpServletResponse.SC_FORBIDDEN, "origin not allowed");
            return;
        }
        Map<String, String> own = new HashMap<>(); // values may be null: the client's header is removed all the same
        own.put(ADDRESS_HEADER, request.getRemoteAddr());
        own.put(SCHEME_HEADER, scheme);
        FrameGuard guard = new FrameGuard(settings.maxFrameBytes());
        HANDSHAKE_GUARD.set(guard);
        try {
            chain.doFilter(new WithHeaders(request, own, guard), response);
        } finally {
            HANDSHAKE_GUARD.remove();
        }
    }

    private static String printable(String s) {
        return s == null ? "(none)" : s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }

    /** The request with Parley's own headers replaced by the values the container saw, and a guarded upgrade. */
    private static final class WithHeaders extends HttpServletRequestWrapper {
        private final Map<String, String> replaced;
        private final FrameGuard guard;

        WithHeaders(HttpServletRequest request, Map<String, String> replaced, FrameGuard guard) {
            super(request);
            this.replaced = replaced;
            this.guard = guard;
        }

        /**
         * Upgrades to {@link GuardedUpgrade.Handler} wrapped round a new instance of the runtime's handler, which is
         * what the runtime gets back. A handler class this cannot create is upgraded to unguarded.
         */
        @Override
        public <T extends HttpUpgradeHandler> T upgrade(Class<T> handlerClass) throws IOException, ServletException {
            if (!handlerClass.getName().startsWith(GUARDED_RUNTIME)) {
                // Only Tyrus's servlet handler is known to read through the WebConnection it is given. Tomcat's
                // (TomEE) is an internal handler that reads the socket itself and breaks when wrapped; Tomcat and
                // Undertow refuse unmasked frames themselves, and the endpoint checks each frame's size.
                return super.upgrade(handlerClass);
            }
            T runtimeHandler;
            try {
                runtimeHandler = handlerClass.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.log(Level.WARNING, "frames are not guarded: cannot create the upgrade handler " + handlerClass.getName(), e);
                return super.upgrade(handlerClass);
            }
            super.upgrade(GuardedUpgrade.Handler.class).wrap(runtimeHandler, guard);
            return runtimeHandler;
        }

        private String replacement(String name) {
            for (Map.Entry<String, String> r : replaced.entrySet()) {
                if (r.getKey().equalsIgnoreCase(name)) {
                    return r.getKey();
                }
            }
            return null;
        }

        @Override
        public String getHeader(String name) {
            String own = replacement(name);
            return own != null ? replaced.get(own) : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            String own = replacement(name);
            if (own == null) {
                return super.getHeaders(name);
            }
            String value = replaced.get(own);
            return Collections.enumeration(value == null ? List.of() : List.of(value));
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = new ArrayList<>();
            for (Enumeration<String> e = super.getHeaderNames(); e.hasMoreElements(); ) {
                String n = e.nextElement();
                if (replacement(n) == null) {
                    names.add(n);
                }
            }
            replaced.forEach((name, value) -> {
                if (value != null) {
                    names.add(name);
                }
            });
            return Collections.enumeration(names);
        }
    }
}
