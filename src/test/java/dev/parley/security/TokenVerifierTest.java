package dev.parley.security;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.parley.session.Identity;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenVerifierTest {

    private static final String SECRET = "unit-test-secret-0123456789abcdefghij";

    private static SecuritySettings.Jwt hs(String secret) {
        return new SecuritySettings.Jwt(secret, null, null, null, null, "sub", "rooms", Duration.ZERO);
    }

    private static String sign(JWSSigner signer, JWSAlgorithm alg, Consumer<JWTClaimsSet.Builder> claims) throws Exception {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().subject("alice").expirationTime(Date.from(Instant.now().plusSeconds(600)));
        claims.accept(b);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).build(), b.build());
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static String hs256(Consumer<JWTClaimsSet.Builder> claims) throws Exception {
        return sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, claims);
    }

    @Test
    void anHs256TokenNamesTheUserItsRoomsAndItsExpiry() throws Exception {
        Instant exp = Instant.now().plusSeconds(300).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Identity id = new TokenVerifier(hs(SECRET)).verify(hs256(c -> c.expirationTime(Date.from(exp)).claim("rooms", List.of("team-*", "ops"))));
        assertEquals(new Identity("alice", List.of("team-*", "ops"), exp), id);
    }

    @Test
    void aRoomsClaimMayBeOneStringOfPatternsAndBadPatternsAreDropped() throws Exception {
        Identity id = new TokenVerifier(hs(SECRET)).verify(hs256(c -> c.claim("rooms", "team-* ops bad/pattern")));
        assertEquals(List.of("team-*", "ops"), id.roomPatterns());
    }

    @Test
    void expiredForgedUnsignedAndMalformedTokensAreRefused() throws Exception {
        TokenVerifier v = new TokenVerifier(hs(SECRET));
        TokenRejected expired = assertThrows(TokenRejected.class,
                () -> v.verify(hs256(c -> c.expirationTime(Date.from(Instant.now().minusSeconds(5))))));
        assertTrue(expired.expired());
        assertEquals("token expired", expired.getMessage());
        String forged = sign(new MACSigner("another-secret-0123456789abcdefghijkl".getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, c -> { });
        assertEquals("invalid token", assertThrows(TokenRejected.class, () -> v.verify(forged)).getMessage());
        String[] parts = hs256(c -> { }).split("\\.");
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
                + "." + parts[1] + ".";
        assertThrows(TokenRejected.class, () -> v.verify(none));
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"sub\":\"root\",\"exp\":9999999999}".getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertThrows(TokenRejected.class, () -> v.verify(tampered));
        assertEquals("invalid token: not a JWT", assertThrows(TokenRejected.class, () -> v.verify("not.a.jwt!")).getMessage());
        assertEquals("missing token", assertThrows(TokenRejected.class, () -> v.verify(null)).getMessage());
        assertThrows(TokenRejected.class, () -> v.verify("x".repeat(TokenVerifier.MAX_TOKEN_CHARS + 1)));
    }

    @Test
    void aTokenWithoutExpiryOrWithABadUserNameIsRefused() throws Exception {
        TokenVerifier v = new TokenVerifier(hs(SECRET));
        assertThrows(TokenRejected.class, () -> v.verify(hs256(c -> c.expirationTime(null))));
        assertEquals("invalid token: sub is not a valid user name",
                assertThrows(TokenRejected.class, () -> v.verify(hs256(c -> c.subject("not a name")))).getMessage());
        assertThrows(TokenRejected.class, () -> v.verify(hs256(c -> c.subject(null))));
    }

    @Test
    void issuerAudienceAndAnotherUserClaimAreChecked() throws Exception {
        TokenVerifier v = new TokenVerifier(new SecuritySettings.Jwt(SECRET, null, null, "https://idp.example", "parley",
                "preferred_username", "rooms", Duration.ZERO));
        assertEquals("bob", v.verify(hs256(c -> c.issuer("https://idp.example").audience("parley").claim("preferred_username", "bob"))).user());
        assertThrows(TokenRejected.class, () -> v.verify(hs256(c -> c.issuer("https://other.example").audience("parley").claim("preferred_username", "bob"))));
        assertThrows(TokenRejected.class, () -> v.verify(hs256(c -> c.issuer("https://idp.example").audience("other").claim("preferred_username", "bob"))));
    }

    @Test
    void rs256WithAPemPublicKeyAndNoAlgorithmConfusion() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair pair = g.generateKeyPair();
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        TokenVerifier v = new TokenVerifier(new SecuritySettings.Jwt(null, pem, null, null, null, "sub", "rooms", Duration.ZERO));
        assertEquals("alice", v.verify(sign(new RSASSASigner(pair.getPrivate()), JWSAlgorithm.RS256, c -> { })).user());
        // an HS256 token whose "secret" is the public key must not pass
        String confused = sign(new MACSigner(pem.getBytes(StandardCharsets.US_ASCII)), JWSAlgorithm.HS256, c -> { });
        assertThrows(TokenRejected.class, () -> v.verify(confused));
        // an HS256 verifier refuses RS256 tokens
        String rs = sign(new RSASSASigner(pair.getPrivate()), JWSAlgorithm.RS256, c -> { });
        assertThrows(TokenRejected.class, () -> new TokenVerifier(hs(SECRET)).verify(rs));
    }

    @Test
    void es256WithAJwksAndWithAPemKey() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        String jwks = new JWKSet(key.toPublicJWK()).toString();
        TokenVerifier v = new TokenVerifier(new SecuritySettings.Jwt(null, null, jwks, null, null, "sub", "rooms", Duration.ZERO));
        String token = sign(new ECDSASigner(key), JWSAlgorithm.ES256, c -> { });
        assertEquals("alice", v.verify(token).user());
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getEncoder().encodeToString(key.toECPublicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----";
        assertEquals("alice", new TokenVerifier(new SecuritySettings.Jwt(null, pem, null, null, null, "sub", "rooms", Duration.ZERO))
                .verify(token).user());
    }

    @Test
    void aWeakSecretOrNoKeyStopsTheStart() {
        assertThrows(IllegalStateException.class, () -> new TokenVerifier(hs("short")));
        assertThrows(IllegalStateException.class,
                () -> new TokenVerifier(new SecuritySettings.Jwt(null, null, null, null, null, "sub", "rooms", Duration.ZERO)));
        assertThrows(IllegalStateException.class,
                () -> new TokenVerifier(new SecuritySettings.Jwt(null, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", null, null, null, "sub", "rooms", Duration.ZERO)));
    }
}
