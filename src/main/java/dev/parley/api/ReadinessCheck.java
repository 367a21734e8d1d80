package dev.parley.api;

import dev.parley.history.MessageStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * MicroProfile Health readiness ({@code /health/ready} on Payara Micro): DOWN while the message store cannot be
 * reached (sends would be refused as unavailable), so a load balancer sends new clients elsewhere.
 */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    @Inject
    MessageStore store;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("parley-store").status(store.reachable()).build();
    }
}
