package dev.parley.security;

import dev.parley.protocol.CloseCodes;
import dev.parley.protocol.Names;
import dev.parley.session.Handshake;
import dev.parley.session.Identity;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.logging.Logger;

/**
 * Establishes who a new connection is. In open mode the name comes from the query ({@code ?name=}, or a
 * guest name when absent). In token mode the client presents a JWT, preferably as an offered subprotocol
 * {@code bearer.<token>} next to {@code chat} (it stays out of URLs and access logs), else as the query
 * parameter {@code access_token}. Thread-safe.
 */
@ApplicationScoped
public class Authenticator {

    private static final Logger LOG = Logger.getLogger(Authenticator.class.getName());

    /** Prefix of the offered subprotocol that carries the token. */
    public static final String BEARER_PROTOCOL_PREFIX = "bearer.";
    /** Query parameter that carries the token for clients that cannot set subprotocols. */
    public static final String TOKEN_PARAM = "access_token";
    /** Query parameter with the requested user name in open mode. */
    public static final String NAME_PARAM = "name";

    private final SecuritySettings settings;
    private final TokenVerifier verifier;

    /** Builds the verifier at once, so a bad key stops the deployment instead of the first connection. */
    @Inject
    public Authenticator(SecuritySettings settings) {
        this.settings = settings;
        this.verifier = settings != null && settings.auth() == SecuritySettings.AuthMode.TOKEN
                ? new TokenVerifier(settings.jwt()) : null;
    }

    /** For CDI's proxy only. */
    protected Authenticator() {
        this(null);
    }

    /** Logs the mode once the application starts (open mode as a warning). */
    @PostConstruct
    void announce() {
        if (verifier != null) {
            LOG.info(() -> "authentication: token mode, " + settings.jwt());
        } else {
            LOG.warning("authentication: OPEN mode - anyone may connect under any name, and private rooms are closed "
                    + "to everyone; set parley.auth.mode=token for production");
        }
    }

    /** True in token mode. */
    public boolean tokenMode() {
        return verifier != null;
    }

    /**
     * Who the connection is; in open mode the user is null when the client asked for no name.
     *
     * @throws HandshakeRefused 4401 for a missing, invalid or expired token; 1008 for an invalid open-mode name
     */
    public Identity authenticate(Handshake handshake) throws HandshakeRefused {
        if (verifier == null) {
            String requested = handshake.param(NAME_PARAM);
            if (requested != null && !Names.isUser(requested)) {
                throw new HandshakeRefused(CloseCodes.POLICY_VIOLATION, "invalid name");
            }
            return Identity.unverified(requested);
        }
        try {
            return verifier.verify(token(handshake));
        } catch (TokenRejected e) {
            throw new HandshakeRefused(CloseCodes.UNAUTHORIZED, e.getMessage());
        }
    }

    /**
     * Verifies a fresh token sent in an {@code auth} frame.
     *
     * @throws TokenRejected when it does not verify
     * @throws IllegalStateException in open mode
     */
    public Identity refresh(String token) throws TokenRejected {
        if (verifier == null) {
            throw new IllegalStateException("open mode has no tokens");
        }
        return verifier.verify(token);
    }

    private static String token(Handshake handshake) {
        for (String p : handshake.offeredProtocols()) {
            if (p.startsWith(BEARER_PROTOCOL_PREFIX)) {
                return p.substring(BEARER_PROTOCOL_PREFIX.length());
            }
        }
        return handshake.param(TOKEN_PARAM);
    }
}
