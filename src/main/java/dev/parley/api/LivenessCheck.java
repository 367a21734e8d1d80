package dev.parley.api;

import dev.parley.config.ApiSettings;
import dev.parley.history.Sequencer;
import dev.parley.session.OutboundWriters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * MicroProfile Health liveness ({@code /health/live} on Payara Micro): DOWN when the server is stuck and only a
 * restart helps: the sequencer has held one batch longer than {@code parley.health.stall-ms}, the socket writers
 * left a probe waiting that long, or threads are deadlocked. A database outage is not stuck (the store fails
 * fast and the sequencer goes on): that is readiness.
 */
@Liveness
@ApplicationScoped
public class LivenessCheck implements HealthCheck {

    @Inject
    Sequencer sequencer;
    @Inject
    OutboundWriters writers;
    @Inject
    ApiSettings settings;

    @Override
    public HealthCheckResponse call() {
        Duration limit = settings.stallLimit();
        Duration sequencing = sequencer.busyFor();
        Duration writing = writers.stalledFor();
        long[] deadlocked = ManagementFactory.getThreadMXBean().findDeadlockedThreads();
        int deadlocks = deadlocked == null ? 0 : deadlocked.length;
        boolean up = sequencing.compareTo(limit) <= 0 && writing.compareTo(limit) <= 0 && deadlocks == 0;
        return HealthCheckResponse.named("parley-delivery").status(up)
                .withData("sequencerBusyMs", millis(sequencing))
                .withData("writersStalledMs", millis(writing))
                .withData("deadlockedThreads", deadlocks)
                .build();
    }

    private static long millis(Duration d) {
        return d.getSeconds() > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : d.toMillis();
    }
}
