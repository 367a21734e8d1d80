package dev.parley.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import dev.parley.protocol.Names;
import dev.parley.session.Identity;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies signed JWTs with Nimbus JOSE+JWT: HS256 with a shared secret, or RS256 / ES256 with a PEM public
 * key, a JSON Web Key Set, or a key set fetched from an identity provider's URL (cached, refreshed on rotation). A token must be signed with an accepted algorithm ({@code none} never is), carry
 * {@code exp} and the user claim, and match the configured issuer and audience. Thread-safe once built.
 */
public final class TokenVerifier {

    /**
     * Longer tokens are refused before parsing ({@code invalid token: too long}). A token travels in a request
     * header (the subprotocol) or the request line ({@code access_token}), and Payara Micro refuses a request
     * whose headers pass 8 KiB with HTTP 400 before the application sees it (Grizzly's header-buffer-length-bytes,
     * as do common proxies): 4 KiB leaves the other half for a browser's own headers and cookies, so a token over
     * the limit still reaches this check and its close. {@code FrameCodec.MAX_TOKEN_CHARS} is the same number.
     */
    public static final int MAX_TOKEN_CHARS = 4096;
    /** Shortest HS256 secret accepted (RFC 7518: a key of at least the hash size). */
    public static final int MIN_SECRET_BYTES = 32;

    /** Connect and read timeout of a JWKS fetch (Nimbus's default, 500 ms, is short for a provider across the internet). */
    private static final int JWKS_TIMEOUT_MS = 3_000;
    /** Largest JWKS document accepted. */
    private static final int JWKS_MAX_BYTES = 256 * 1024;

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final String userClaim;
    private final String roomsClaim;

    /**
     * Builds a verifier from the settings.
     *
     * @throws IllegalStateException when no key, more than one key source, or an unusable key is configured
     */
    public TokenVerifier(SecuritySettings.Jwt jwt) {
        this.userClaim = jwt.userClaim();
        this.roomsClaim = jwt.roomsClaim();
        int sources = (jwt.hmacSecret() != null ? 1 : 0) + (jwt.publicKeyPem() != null ? 1 : 0) + (jwt.jwksJson() != null ? 1 : 0)
                + (jwt.remoteJwks() != null ? 1 : 0);
        if (sources != 1) {
            throw new IllegalStateException("token mode needs exactly one of parley.auth.hs256-secret, "
                    + "parley.auth.public-key(-file), parley.auth.jwks(-file) or parley.auth.jwks-url; found " + sources);
        }
        JWKSource<SecurityContext> keys;
        Set<JWSAlgorithm> algorithms;
        if (jwt.hmacSecret() != null) {
            byte[] secret = jwt.hmacSecret().getBytes(StandardCharsets.UTF_8);
            if (secret.length < MIN_SECRET_BYTES) {
                throw new IllegalStateException("parley.auth.hs256-secret must be at least " + MIN_SECRET_BYTES + " bytes");
            }
            keys = new ImmutableSecret<>(secret);
            algorithms = Set.of(JWSAlgorithm.HS256);
        } else if (jwt.publicKeyPem() != null) {
            JWK key = parsePem(jwt.publicKeyPem());
            keys = new ImmutableJWKSet<>(new JWKSet(key));
            algorithms = Set.of(key instanceof RSAKey ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256);
        } else if (jwt.remoteJwks() != null) {
            keys = remote(jwt.remoteJwks());
            algorithms = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
        } else {
            try {
                JWKSet set = JWKSet.parse(jwt.jwksJson());
                if (set.getKeys().isEmpty()) {
                    throw new IllegalStateException("the configured JWKS has no keys");
                }
                keys = new ImmutableJWKSet<>(set);
                algorithms = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
            } catch (ParseException e) {
                throw new IllegalStateException("the configured JWKS is not a JSON Web Key Set: " + e.getMessage(), e);
            }
        }
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (jwt.issuer() != null) {
            exact.issuer(jwt.issuer());
        }
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                // a mutable set: Nimbus asks it whether it contains null, which Set.of answers with an NPE
                jwt.audience() == null ? null : new HashSet<>(List.of(jwt.audience())), exact.build(),
                new HashSet<>(List.of("exp", userClaim)), null);
        claims.setMaxClockSkew((int) jwt.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    /**
     * Checks a token and returns whom it names, never null.
     *
     * @throws TokenRejected with a reason fit for a close frame (at most a few words, never the token)
     */
    public Identity verify(String token) throws TokenRejected {
        if (token == null || token.isEmpty()) {
            throw new TokenRejected("missing token", false);
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new TokenRejected("invalid token: too long", false);
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ExpiredJWTException e) {
            throw new TokenRejected("token expired", true);
        } catch (ParseException e) {
            throw new TokenRejected("invalid token: not a JWT", false);
        } catch (BadJOSEException | JOSEException | RuntimeException e) {
            throw new TokenRejected("invalid token", false);
        }
        Object user = claims.getClaim(userClaim);
        if (!(user instanceof String name) || !Names.isUser(name)) {
            throw new TokenRejected("invalid token: " + userClaim + " is not a valid user name", false);
        }
        return new Identity(name, rooms(claims.getClaim(roomsClaim)), claims.getExpirationTime().toInstant());
    }

    /**
     * The provider's key set through Nimbus's JWK source chain: fetched on first use, cached for the TTL, fetched
     * again on a key id it lacks (rate-limited), one retry on a network failure, and the last good set kept in use
     * while the provider is unreachable (for ten times the TTL).
     */
    private static JWKSource<SecurityContext> remote(SecuritySettings.RemoteJwks jwks) {
        long ttl = jwks.cacheTtl().toMillis();
        return JWKSourceBuilder.create(jwks.url(), new DefaultResourceRetriever(JWKS_TIMEOUT_MS, JWKS_TIMEOUT_MS, JWKS_MAX_BYTES))
                .cache(ttl, JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT)
                .rateLimited(jwks.minRefreshInterval().toMillis())
                .retrying(true)
                .outageTolerant(ttl * 10)
                .build();
    }

    /** The rooms claim: a JSON array of patterns, or one string of patterns separated by spaces. */
    private static List<String> rooms(Object claim) {
        List<String> patterns = new ArrayList<>();
        if (claim instanceof String s) {
            patterns.addAll(Arrays.asList(s.trim().split("\\s+")));
        } else if (claim instanceof List<?> list) {
            list.forEach(p -> {
                if (p instanceof String s) {
                    patterns.add(s);
                }
            });
        }
        patterns.removeIf(p -> !AccessPolicy.isPattern(p));
        return patterns;
    }

    /** A PEM public key ("PUBLIC KEY", X.509 SubjectPublicKeyInfo) or certificate, as a JWK. */
    static JWK parsePem(String pem) {
        try {
            if (pem.contains("BEGIN CERTIFICATE")) {
                X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
                return jwk(cert.getPublicKey());
            }
            String body = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
            X509EncodedKeySpec spec = new X509EncodedKeySpec(Base64.getDecoder().decode(body));
            for (String algorithm : List.of("RSA", "EC")) {
                try {
                    return jwk(KeyFactory.getInstance(algorithm).generatePublic(spec));
                } catch (GeneralSecurityException notThisKind) {
                    // try the next kind
                }
            }
            throw new IllegalStateException("the configured public key is neither RSA nor EC");
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("the configured public key is not a PEM public key or certificate: " + e.getMessage(), e);
        }
    }

    private static JWK jwk(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            return new RSAKey.Builder(rsa).build();
        }
        if (key instanceof ECPublicKey ec) {
            Curve curve = Curve.forECParameterSpec(ec.getParams());
            if (!Curve.P_256.equals(curve)) {
                throw new IllegalStateException("ES256 needs a P-256 key, the configured one is " + curve);
            }
            return new ECKey.Builder(curve, ec).build();
        }
        throw new IllegalStateException("unsupported public key type " + key.getAlgorithm());
    }
}
