package dev.parley.it.support;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority made for one test, with the JDK's own {@code keytool}: a CA key pair, and a server
 * key store (PKCS#12) holding a key for {@code 127.0.0.1}/{@code localhost} signed by that CA under the alias
 * {@link #SERVER_ALIAS}, as an operator would hand Payara Micro. Nothing is trusted but what the test says.
 */
public final class TestCa {

    /** The alias of the server's key in {@link #serverKeyStore()}. */
    public static final String SERVER_ALIAS = "parley";

    private final Path dir;
    private final String password;

    private TestCa(Path dir, String password) {
        this.dir = dir;
        this.password = password;
    }

    /** Makes a new CA and server key store in {@code dir} (created if missing), both valid for two days. */
    public static TestCa create(Path dir, String password) {
        try {
            Files.createDirectories(dir);
            for (String f : List.of("ca.p12", "server.p12", "server.csr", "server.pem", "ca.pem")) {
                Files.deleteIfExists(dir.resolve(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestCa ca = new TestCa(dir.toAbsolutePath(), password);
        ca.keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=Parley Test CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", "ca.p12");
        ca.keytool("-genkeypair", "-alias", SERVER_ALIAS, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-validity", "2", "-keystore", "server.p12");
        ca.keytool("-certreq", "-alias", SERVER_ALIAS, "-keystore", "server.p12", "-file", "server.csr");
        ca.keytool("-gencert", "-alias", "ca", "-keystore", "ca.p12", "-infile", "server.csr", "-outfile", "server.pem",
                "-ext", "san=ip:127.0.0.1,dns:localhost", "-ext", "eku=serverAuth", "-validity", "2", "-rfc");
        ca.keytool("-exportcert", "-alias", "ca", "-keystore", "ca.p12", "-rfc", "-file", "ca.pem");
        // The chain's root first, so that the signed certificate can be installed over the key's self-signed one.
        ca.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", "server.p12");
        ca.keytool("-importcert", "-alias", SERVER_ALIAS, "-file", "server.pem", "-keystore", "server.p12");
        return ca;
    }

    /** The server's key store (PKCS#12, password as given): the key and its chain under {@link #SERVER_ALIAS}. */
    public Path serverKeyStore() {
        return dir.resolve("server.p12");
    }

    /** The key store's password. */
    public String password() {
        return password;
    }

    /** The CA's certificate, PEM. */
    public Path caCertificate() {
        return dir.resolve("ca.pem");
    }

    /** A TLS context that trusts this CA and nothing else. */
    public SSLContext trustingOnlyThisCa() {
        try (InputStream in = Files.newInputStream(caCertificate())) {
            Certificate cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("parley-test-ca", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void keytool(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", password, "-keypass", password));
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError("keytool " + args[0] + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
