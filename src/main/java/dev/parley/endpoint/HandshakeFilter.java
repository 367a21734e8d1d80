package dev.parley.endpoint;

import dev.parley.security.OriginPolicy;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.logging.Logger;

/**
 * Runs on the HTTP request that asks to become the chat WebSocket, before the container upgrades it:
 * refuses a page from a foreign Origin with HTTP 403 (no connection at all) and an absurdly long query with
 * HTTP 414, and passes the client's address,
 * which the standard {@code HandshakeRequest} does not carry, to the handshake as a header of its own (any
 * such header the client sent is removed first, so it cannot be forged). This works where the container's
 * upgrade runs as a filter mapped after the application's (Tyrus on Payara and GlassFish, Tomcat's WsFilter);
 * elsewhere the endpoint checks the Origin itself and closes with 4403, and the address is "unknown".
 */
@WebFilter(urlPatterns = "/chat", asyncSupported = true)
public class HandshakeFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(HandshakeFilter.class.getName());

    /** The request header that carries the client's address to the handshake. */
    static final String ADDRESS_HEADER = "X-Parley-Remote-Address";

    /** The longest query string a handshake may carry (a name is at most 32 characters); longer ones get 414. */
    static final int MAX_QUERY_CHARS = 4096;
    private static final int SC_URI_TOO_LONG = 414;

    @Inject
    transient OriginPolicy origins;

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
        if (!origins.allows(origin, request.getHeader("Host"))) {
            LOG.fine(() -> "refused a handshake from origin " + printable(origin));
            response.sendError(HttpServletResponse.SC_FORBIDDEN, "origin not allowed");
            return;
        }
        chain.doFilter(new WithAddress(request, request.getRemoteAddr()), response);
    }

    private static String printable(String s) {
        return s == null ? "(none)" : s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }

    /** The request with the address header replaced by the address the container saw. */
    private static final class WithAddress extends HttpServletRequestWrapper {
        private final String address;

        WithAddress(HttpServletRequest request, String address) {
            super(request);
            this.address = address;
        }

        private static boolean isAddressHeader(String name) {
            return ADDRESS_HEADER.equalsIgnoreCase(name);
        }

        @Override
        public String getHeader(String name) {
            return isAddressHeader(name) ? address : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return isAddressHeader(name)
                    ? Collections.enumeration(address == null ? List.of() : List.of(address))
                    : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = new ArrayList<>();
            for (Enumeration<String> e = super.getHeaderNames(); e.hasMoreElements(); ) {
                String n = e.nextElement();
                if (!isAddressHeader(n)) {
                    names.add(n);
                }
            }
            if (address != null) {
                names.add(ADDRESS_HEADER);
            }
            return Collections.enumeration(names);
        }
    }
}
