package dev.parley.wiring;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.servlet.ServletContext;

import java.util.logging.Logger;

/**
 * Says once at start that this Parley runs as a single node, and on which server. Parley has no cross-node
 * delivery (the cluster is Payara Micro's, and not built yet): every instance delivers only to its own
 * connections, on Payara Micro with or without {@code --nocluster} as on WildFly and TomEE. Same WAR everywhere.
 */
@ApplicationScoped
public class NodeNotice {

    private static final Logger LOG = Logger.getLogger(NodeNotice.class.getName());

    /** The event's payload is the web application's ServletContext on the three servers; anything else is named "unknown". */
    void started(@Observes @Initialized(ApplicationScoped.class) Object started) {
        String server = started instanceof ServletContext context ? context.getServerInfo() : null;
        LOG.info(line(server));
    }

    /** The line logged at start, for the server that {@link ServletContext#getServerInfo()} names (null if unknown). */
    static String line(String serverInfo) {
        String server = serverInfo == null || serverInfo.isBlank() ? "an unknown server" : serverInfo.strip();
        return "Parley: single node on " + server
                + " (no cross-node delivery): messages reach only this instance's connections";
    }
}
