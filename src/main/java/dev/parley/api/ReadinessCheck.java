package dev.parley.api;

import dev.parley.chat.Drain;
import dev.parley.history.MessageStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * MicroProfile Health readiness ({@code /health/ready} on Payara Micro): DOWN while the message store cannot be
 * reached (sends would be refused as unavailable) or the node is stopping ({@link Drain}), so a load balancer
 * sends new clients elsewhere.
 */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    @Inject
    MessageStore store;
    @Inject
    Drain drain;

    @Override
    public HealthCheckResponse call() {
        boolean draining = drain.isDraining();
        return HealthCheckResponse.named("parley-store").status(!draining && store.reachable())
                .withData("draining", draining).build();
    }
}
