package dev.parley.cluster;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import java.lang.reflect.InvocationTargetException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Finds the server's data grid: Payara Micro binds its Hazelcast instance in JNDI at {@value #JNDI_NAME}, also with
 * {@code --nocluster}, where that instance has every way of joining other nodes turned off (then: single node). WildFly and TomEE have neither the name nor Hazelcast's classes;
 * the Hazelcast-backed {@link Grid} is then never loaded.
 */
final class GridLocator {

    /** Where Payara Micro binds its Hazelcast instance (its default JNDI name). */
    static final String JNDI_NAME = "payara/Hazelcast";
    private static final String HAZELCAST_TYPE = "com.hazelcast.core.HazelcastInstance";
    private static final String GRID_TYPE = "dev.parley.cluster.hazelcast.HazelcastGrid";
    private static final Logger LOG = Logger.getLogger(GridLocator.class.getName());

    private GridLocator() {
    }

    /** The grid this node is part of, or null when it runs as a single node, after telling {@code whySingle} why. */
    static Grid find(Consumer<String> whySingle) {
        ClassLoader loader = GridLocator.class.getClassLoader();
        Class<?> hazelcast;
        try {
            hazelcast = Class.forName(HAZELCAST_TYPE, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return single(whySingle, "this server has no data grid (WildFly, TomEE)");
        }
        Object instance;
        try {
            instance = new InitialContext().lookup(JNDI_NAME);
        } catch (NamingException e) {
            return single(whySingle, "no data grid is bound at " + JNDI_NAME);
        }
        if (!hazelcast.isInstance(instance)) {
            return single(whySingle, JNDI_NAME + " is not a Hazelcast instance");
        }
        try {
            Grid grid = (Grid) Class.forName(GRID_TYPE, true, loader).getConstructor(Object.class).newInstance(instance);
            // --nocluster: Payara's member of one, joining nobody
            return grid.joinsOthers() ? grid : single(whySingle, "Payara Micro names no other node (--clustermode tcpip:HOST:PORT,...)");
        } catch (ClassNotFoundException | NoSuchMethodException | InstantiationException | IllegalAccessException
                 | InvocationTargetException | LinkageError e) {
            LOG.log(Level.SEVERE, "Payara's Hazelcast is there but Parley cannot use it; running as a single node", e);
            return single(whySingle, "Payara's Hazelcast cannot be used: " + e);
        }
    }

    private static Grid single(Consumer<String> whySingle, String why) {
        whySingle.accept(why);
        return null;
    }
}
