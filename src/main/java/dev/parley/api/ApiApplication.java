package dev.parley.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * The HTTP API for backends and operators, under {@code /api}: Jakarta REST resources, found by the container's
 * scan ({@link RoomsResource}, {@link UsersResource}), every call guarded by {@link ApiKeyFilter}, every error
 * an RFC 9457 problem ({@link Problems}). The contract is served as OpenAPI at the server's {@code /openapi}.
 */
@ApplicationPath("api")
public class ApiApplication extends Application {
}
