package dev.parley.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** Mints HS256 tokens for tests, with the library the server verifies them with. */
public final class Tokens {

    /** The secret the token-mode test deployments are configured with (test only). */
    public static final String SECRET = "test-secret-for-parley-its-0123456789abcdef";

    private Tokens() {
    }

    /** A token for {@code user}, valid for {@code ttl}, granting {@code rooms} (none if null). */
    public static String hs256(String user, Duration ttl, List<String> rooms) {
        return hs256(SECRET, user, Instant.now().plus(ttl), rooms);
    }

    /** A token signed with {@code secret}, expiring at {@code expires}. */
    public static String hs256(String secret, String user, Instant expires, List<String> rooms) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(user).expirationTime(Date.from(expires))
                .issueTime(new Date());
        if (rooms != null) {
            claims.claim("rooms", rooms);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /**
     * A token for {@code user}, valid for {@code ttl} and signed with {@code secret}, padded with a claim of its own
     * to {@code length} characters, or one or two fewer where base64 cannot hit the length exactly.
     */
    public static String padded(String secret, String user, Duration ttl, int length) {
        Instant expires = Instant.now().plus(ttl);
        String best = null;
        for (int pad = Math.max(0, length * 3 / 4 - 200); pad < length; pad++) {
            JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(user).expirationTime(Date.from(expires))
                    .claim("pad", "p".repeat(pad)).build();
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            try {
                jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            } catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
            String token = jwt.serialize();
            if (token.length() > length) {
                break;
            }
            best = token;
        }
        if (best == null || best.length() < length - 2) {
            throw new IllegalStateException("no token of " + length + " characters");
        }
        return best;
    }

    /** The offered subprotocols that carry a token: {@code chat, bearer.<token>}. */
    public static String[] protocols(String token) {
        return new String[]{"chat", "bearer." + token};
    }
}
