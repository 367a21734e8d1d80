package dev.parley.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * Turns the container's own refusals (no such path 404, wrong method 405, wrong media type 415, 406) into problem
 * details like Parley's. Exceptions that already carry a problem body are sent as they are, without this mapper.
 */
@Provider
@ApplicationScoped
public class ProblemMapper implements ExceptionMapper<WebApplicationException> {

    @Override
    public Response toResponse(WebApplicationException e) {
        Response original = e.getResponse();
        int status = original.getStatus();
        String detail = switch (status) {
            case 404 -> "no such resource";
            case 405 -> "this resource does not answer that method";
            case 406 -> "this resource answers application/json only";
            case 415 -> "send the body as application/json";
            default -> status >= 500 ? "internal error" : "the request was refused";
        };
        Response problem = Problems.response(status, status >= 500 ? "internal" : "invalid", detail);
        String allow = original.getHeaderString(HttpHeaders.ALLOW);
        return allow == null ? problem : Response.fromResponse(problem).header(HttpHeaders.ALLOW, allow).build();
    }
}
