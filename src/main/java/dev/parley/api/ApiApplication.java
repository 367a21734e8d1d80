package dev.parley.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * The HTTP API for backends and operators, under {@code /api}: Jakarta REST resources, found by the container's
 * scan ({@link RoomsResource}, {@link UsersResource}), every call guarded by {@link ApiKeyFilter}, every error
 * an RFC 9457 problem ({@link Problems}). The contract is served as OpenAPI at the server's {@code /openapi}
 * (MicroProfile OpenAPI, from these annotations; on a server without it they are simply not read).
 */
@ApplicationPath("api")
@OpenAPIDefinition(
        info = @Info(title = "Parley HTTP API", version = "1",
                description = "Publish into rooms, send direct messages, look at rooms and disconnect users without a "
                        + "WebSocket. Every call needs Authorization: Bearer <key> (a key from parley.api.keys); with no "
                        + "key configured the API answers 404. Errors are RFC 9457 problem details "
                        + "(application/problem+json) with Parley's error code in \"code\"."),
        security = @SecurityRequirement(name = "apiKey"))
@SecurityScheme(securitySchemeName = "apiKey", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An API key from parley.api.keys (env PARLEY_API_KEYS), as Authorization: Bearer <key>")
public class ApiApplication extends Application {
}
