package dev.parley.api;

import dev.parley.config.EventSettings;
import dev.parley.config.Settings;
import dev.parley.protocol.ProtocolDescription;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /protocol.json}: the wire contract's limits, name syntax and close codes as this server is
 * configured ({@link ProtocolDescription}), for clients that would otherwise copy them. Public: it tells
 * nothing that a connection does not.
 */
@WebServlet(urlPatterns = "/protocol.json")
public class ProtocolServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    transient Settings settings;
    @Inject
    transient EventSettings events;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setHeader("Cache-Control", "no-cache");
        response.getWriter().write(ProtocolDescription.of(settings.maxTextChars(), settings.maxFrameBytes(),
                events.maxDataBytes(), events.maxStateBytes()).toString());
    }
}
