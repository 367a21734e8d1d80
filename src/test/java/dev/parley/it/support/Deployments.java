package dev.parley.it.support;

import org.jboss.shrinkwrap.api.Node;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.URL;
import java.util.UUID;

/**
 * The WAR under test is the one Maven built ({@code target/parley.war}), not a hand-picked set of classes,
 * so the tests see exactly what operators deploy. Tests may add settings to it.
 */
public final class Deployments {

    private static final String SHIPPED_CONFIG = "/WEB-INF/classes/META-INF/microprofile-config.properties";

    private Deployments() {
    }

    /**
     * The built WAR as operators deploy it (default settings, so the default embedded database), except
     * that its database lives in a folder of its own under target/: each deployment starts with empty
     * history, and a retried ref of an earlier run is never mistaken for this run's.
     */
    public static WebArchive parley() {
        return parley("");
    }

    /** The built WAR with MicroProfile Config properties (one {@code key=value} per line) added. */
    public static WebArchive parley(String properties) {
        String path = System.getProperty("parley.war", "target/parley.war");
        File war = new File(path);
        if (!war.isFile()) {
            throw new IllegalStateException("build the WAR first (mvn verify does): " + war.getAbsolutePath());
        }
        String dataDir = "target/it-data/" + UUID.randomUUID();
        WebArchive archive = ShrinkWrap.createFromZipFile(WebArchive.class, war);
        // The WAR's own properties stay; the test's come after them, so they win where both set a key.
        Node shipped = archive.get(SHIPPED_CONFIG);
        String defaults = "";
        if (shipped != null && shipped.getAsset() != null) {
            try (InputStream in = shipped.getAsset().openStream()) {
                defaults = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1) + "\n";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            archive.delete(SHIPPED_CONFIG);
        }
        return archive.addAsResource(new StringAsset(defaults + "parley.data.dir=" + dataDir + "\n" + properties),
                "META-INF/microprofile-config.properties");
    }

    /**
     * The chat socket's URI on loopback. Arquillian's URL carries the machine's network address; test
     * traffic stays on 127.0.0.1, so only its port and path are kept.
     */
    public static URI chat(URL deployment, String query) {
        String path = deployment.getPath().endsWith("/") ? deployment.getPath() : deployment.getPath() + "/";
        return URI.create("ws://127.0.0.1:" + deployment.getPort() + path + "chat" + (query == null ? "" : "?" + query));
    }

    /** An HTTP URI of the deployment on loopback. */
    public static URI http(URL deployment, String relative) {
        String path = deployment.getPath().endsWith("/") ? deployment.getPath() : deployment.getPath() + "/";
        return URI.create("http://127.0.0.1:" + deployment.getPort() + path + relative);
    }
}
