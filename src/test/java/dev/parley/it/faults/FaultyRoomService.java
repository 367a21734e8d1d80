package dev.parley.it.faults;

import dev.parley.chat.RoomService;
import dev.parley.config.Settings;
import dev.parley.history.MessageStore;
import dev.parley.history.Sequencer;
import dev.parley.protocol.ClientFrame;
import dev.parley.config.EventSettings;
import dev.parley.metrics.Meters;
import dev.parley.room.RoomLanes;
import dev.parley.room.RoomRegistry;
import dev.parley.security.RoomTrail;
import dev.parley.security.SecuritySettings;
import dev.parley.session.Peer;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;

/** Test-only: handling a message whose text is "boom" fails unexpectedly, as a bug would make it. */
@Alternative
@Priority(1000)
@ApplicationScoped
public class FaultyRoomService extends RoomService {

    @Inject
    public FaultyRoomService(RoomRegistry rooms, MessageStore store, Sequencer sequencer, Settings settings,
                             SecuritySettings security, RoomTrail trail, EventSettings events, RoomLanes lanes,
                             Meters meters) {
        super(rooms, store, sequencer, settings, security, trail, events, lanes, meters);
    }

    protected FaultyRoomService() {
    }

    @Override
    public void post(Peer peer, ClientFrame.Post post) {
        if ("boom".equals(post.text())) {
            throw new IllegalStateException("injected fault: message handling failed");
        }
        super.post(peer, post);
    }
}
