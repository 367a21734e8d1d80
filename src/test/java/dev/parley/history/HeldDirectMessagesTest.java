package dev.parley.history;

import dev.parley.message.DirectMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sequencer's direct-message rules, over the in-memory store: held while offline, released once, in order. */
@Timeout(30)
class HeldDirectMessagesTest {

    private final Set<String> online = ConcurrentHashMap.newKeySet();
    private final Sequencer sequencer = new Sequencer(new InMemoryMessageStore(100, Duration.ofHours(24)),
            Thread::new, 100, 10, online::contains);

    @AfterEach
    void stop() {
        sequencer.stop();
    }

    @Test
    void aDirectMessageToAnOfflineUserIsHeldAndReleasedOnceOldestFirst() throws Exception {
        assertTrue(send("dave", "one").held());
        assertTrue(send("dave", "two").held());

        sequencer.hold("dave");
        online.add("dave");
        BlockingQueue<List<DirectMessage>> released = new LinkedBlockingQueue<>();
        sequencer.release("dave", released::add);
        assertEquals(List.of("one", "two"), texts(released.poll(10, TimeUnit.SECONDS)));

        sequencer.hold("dave");
        sequencer.release("dave", released::add);
        Appended live = send("dave", "three");
        assertFalse(live.held(), "once released, messages go out live");
        assertEquals(null, released.poll(), "nothing is released twice");
    }

    @Test
    void messagesSentWhileAConnectionIsBeingSetUpAreHeldAndComeAfterTheOlderOnes() throws Exception {
        assertTrue(send("erin", "old").held());
        sequencer.hold("erin");
        online.add("erin"); // registered, but not released yet
        assertTrue(send("erin", "during").held(), "held until the release, so it cannot overtake 'old'");
        BlockingQueue<List<DirectMessage>> released = new LinkedBlockingQueue<>();
        sequencer.release("erin", released::add);
        assertEquals(List.of("old", "during"), texts(released.poll(10, TimeUnit.SECONDS)));
    }

    @Test
    void aReleaseForAUserWhoLeftAgainKeepsTheMessagesForTheNextConnection() throws Exception {
        assertTrue(send("fay", "kept").held());
        sequencer.hold("fay");
        BlockingQueue<List<DirectMessage>> released = new LinkedBlockingQueue<>();
        sequencer.release("fay", released::add); // fay is not online
        assertTrue(send("fay", "barrier").held(), "processed after the release");
        assertEquals(null, released.poll());

        online.add("fay");
        sequencer.hold("fay");
        sequencer.release("fay", released::add);
        assertEquals(List.of("kept", "barrier"), texts(released.poll(10, TimeUnit.SECONDS)));
    }

    private Appended send(String to, String text) throws Exception {
        CompletableFuture<Appended> done = new CompletableFuture<>();
        sequencer.submit(new Draft.ToUser(to, "alice", text, null, Instant.now()), (appended, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
            } else {
                done.complete(appended);
            }
        });
        Appended a = done.get(10, TimeUnit.SECONDS);
        assertNotNull(a);
        return a;
    }

    private static List<String> texts(List<DirectMessage> messages) {
        assertNotNull(messages, "nothing released");
        return messages.stream().map(DirectMessage::text).toList();
    }
}
