package dev.parley.session;

import java.util.List;
import java.util.Map;

/**
 * What the client said when it connected: query parameters, the subprotocols it offered, its Origin and
 * address. Immutable; lists and maps are never null.
 */
public record Handshake(Map<String, List<String>> query, List<String> offeredProtocols, String origin, String address) {

    public Handshake {
        query = Map.copyOf(query);
        offeredProtocols = List.copyOf(offeredProtocols);
        address = address == null ? "unknown" : address;
    }

    /** The first value of a query parameter, or null when absent. */
    public String param(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
