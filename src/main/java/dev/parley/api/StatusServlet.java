package dev.parley.api;

import dev.parley.metrics.Meters;
import dev.parley.session.ConnectionRegistry;
import dev.parley.session.Peer;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.net.InetAddress;

/**
 * {@code GET /status}: a few figures for operators and tests, as JSON: open connections, the bytes waiting in
 * all outbound queues and in the fullest one (what slow consumers make the server hold), the JVM heap, and the
 * number of threads in a Java-level deadlock (anything but 0 means the server is stuck), and the main counters
 * that {@code /metrics} also exports ({@link Meters}).
 * Answered only to requests from the loopback interface (403 otherwise), since it tells about the server.
 */
@WebServlet(urlPatterns = "/status")
public class StatusServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    transient ConnectionRegistry connections;
    @Inject
    transient Meters meters;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!InetAddress.getByName(request.getRemoteAddr()).isLoopbackAddress()) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN);
            return;
        }
        long total = 0;
        long largest = 0;
        int open = 0;
        for (Peer p : connections.all()) {
            long q = p.queuedBytes();
            total += q;
            largest = Math.max(largest, q);
            open++;
        }
        long[] deadlocked = ManagementFactory.getThreadMXBean().findDeadlockedThreads();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(Json.createObjectBuilder()
                .add("connections", open)
                .add("queuedBytes", total)
                .add("largestQueueBytes", largest)
                .add("heapUsedBytes", heap.getUsed())
                .add("heapMaxBytes", heap.getMax())
                .add("deadlockedThreads", deadlocked == null ? 0 : deadlocked.length)
                .add("messagesIn", meters.value(Meters.Count.MESSAGES_IN))
                .add("messagesStored", meters.value(Meters.Count.MESSAGES_STORED))
                .add("deliveries", meters.value(Meters.Count.DELIVERIES))
                .add("acks", meters.value(Meters.Count.ACKS))
                .add("slowConsumerCloses", meters.value(Meters.Count.SLOW_CONSUMER_CLOSES))
                .add("intakeWaits", meters.value(Meters.Count.INTAKE_WAITS))
                .add("intakeWaitMillis", meters.value(Meters.Count.INTAKE_WAIT_MILLIS))
                .add("intakeUnpaced", meters.value(Meters.Count.INTAKE_UNPACED))
                .add("intakeRefusals", meters.value(Meters.Count.INTAKE_REFUSALS))
                .build().toString());
    }
}
