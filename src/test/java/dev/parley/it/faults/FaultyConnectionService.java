package dev.parley.it.faults;

import dev.parley.chat.ConnectionService;
import dev.parley.session.Handshake;
import dev.parley.session.Peer;
import dev.parley.session.Transport;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

/** Test-only: admission fails unexpectedly for the user "crash", as a bug would make it. */
@Alternative
@Priority(1000)
@ApplicationScoped
public class FaultyConnectionService extends ConnectionService {

    @Override
    public Peer open(Transport transport, Handshake handshake) {
        if ("crash".equals(handshake.param("name"))) {
            throw new IllegalStateException("injected fault: admission failed");
        }
        return super.open(transport, handshake);
    }
}
