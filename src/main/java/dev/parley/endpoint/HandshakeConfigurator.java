package dev.parley.endpoint;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Looks at the HTTP upgrade request before the connection opens and hands what the endpoint needs
 * (Origin, Host, offered subprotocols, the remote address and scheme left by {@link HandshakeFilter}) to the session's
 * user properties. Jakarta WebSocket 2.1 gives each handshake its own copy of those properties, so
 * connections never see each other's values (SecurityIT opens many connections with different tokens at
 * once to hold Tyrus to that).
 */
public class HandshakeConfigurator extends ServerEndpointConfig.Configurator {

    /** User property: the Origin header, or absent. */
    static final String ORIGIN = "parley.origin";
    /** User property: the Host header, or absent. */
    static final String HOST = "parley.host";
    /** User property: the client's address as {@link HandshakeFilter} saw it, or absent. */
    static final String ADDRESS = "parley.address";
    /** User property: the request's scheme as {@link HandshakeFilter} judged it, or absent. */
    static final String SCHEME = "parley.scheme";
    /** User property: the connection's {@link FrameGuard}, where the container's upgrade is guarded, or absent. */
    static final String FRAME_GUARD = "parley.frame-guard";
    /** User property: the subprotocols the client offered, as a List of String. */
    static final String OFFERED_PROTOCOLS = "parley.protocols";

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        Map<String, Object> properties = config.getUserProperties();
        Map<String, List<String>> headers = request.getHeaders();
        put(properties, ORIGIN, first(headers, "Origin"));
        put(properties, HOST, first(headers, "Host"));
        put(properties, ADDRESS, first(headers, HandshakeFilter.ADDRESS_HEADER));
        put(properties, SCHEME, first(headers, HandshakeFilter.SCHEME_HEADER));
        properties.put(OFFERED_PROTOCOLS, offeredProtocols(headers));
        FrameGuard guard = HandshakeFilter.handshakeGuard();
        if (guard != null) {
            properties.put(FRAME_GUARD, guard);
        } else {
            properties.remove(FRAME_GUARD);
        }
    }

    private static void put(Map<String, Object> properties, String key, String value) {
        if (value != null) {
            properties.put(key, value);
        } else {
            properties.remove(key);
        }
    }

    private static List<String> offeredProtocols(Map<String, List<String>> headers) {
        List<String> offered = new ArrayList<>();
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            if (h.getKey().equalsIgnoreCase(HandshakeRequest.SEC_WEBSOCKET_PROTOCOL)) {
                for (String value : h.getValue()) {
                    for (String p : value.split(",")) {
                        if (!p.isBlank()) {
                            offered.add(p.trim());
                        }
                    }
                }
            }
        }
        return offered;
    }

    private static String first(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            if (h.getKey().equalsIgnoreCase(name) && !h.getValue().isEmpty()) {
                return h.getValue().get(0);
            }
        }
        return null;
    }
}
