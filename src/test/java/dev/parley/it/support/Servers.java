package dev.parley.it.support;

import java.util.Locale;

/**
 * The server the Arquillian tests run on, as the Maven profile chose it (system property {@code parley.it.server}):
 * tests use it only to skip, with a reason JUnit reports, what a server cannot do.
 */
public enum Servers {
    /** Payara Micro, the default. */
    PAYARA_MICRO,
    /** WildFly (profile {@code wildfly}). */
    WILDFLY,
    /** Apache TomEE (profile {@code tomee}). */
    TOMEE;

    /** The server of this run; Payara Micro when the property is unset. */
    public static Servers current() {
        String name = System.getProperty("parley.it.server", "payara-micro");
        return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
