package dev.parley.wiring;

import dev.parley.cluster.Cluster;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContext;

import java.util.logging.Logger;

/**
 * Says once at start whether this Parley runs as a single node, and on which server. It is clustered only on Payara
 * Micro without {@code --nocluster} ({@link Cluster}; {@code ClusterStart} then logs the node's cluster line); on
 * WildFly and TomEE, and on Payara Micro with {@code --nocluster}, it delivers only to its own connections. Same WAR
 * everywhere.
 */
@ApplicationScoped
public class NodeNotice {

    private static final Logger LOG = Logger.getLogger(NodeNotice.class.getName());

    /** The event's payload is the web application's ServletContext on the three servers; anything else is named "unknown". */
    @Inject
    Cluster cluster;

    void started(@Observes @Initialized(ApplicationScoped.class) Object started) {
        if (cluster.active()) {
            return;
        }
        String server = started instanceof ServletContext context ? context.getServerInfo() : null;
        LOG.info(line(server) + " (" + cluster.whySingle() + ")");
    }

    /** The line logged at start, for the server that {@link ServletContext#getServerInfo()} names (null if unknown). */
    static String line(String serverInfo) {
        String server = serverInfo == null || serverInfo.isBlank() ? "an unknown server" : serverInfo.strip();
        return "Parley: single node on " + server
                + " (no cross-node delivery): messages reach only this instance's connections";
    }
}
