package dev.parley.security;

import dev.parley.session.ConnectionRegistry;
import dev.parley.session.Identity;
import dev.parley.session.Peer;
import dev.parley.session.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessPolicyTest {

    @ParameterizedTest
    @CsvSource({
            "team-*,            private.team-red,      true",
            "team-*,            private.team-,         true",
            "team-*,            private.teams,         false",
            "team-*,            private.other-team-x,  false",
            "private.team-*,    private.team-red,      true",
            "team-red,          private.team-red,      true",
            "team-red,          private.team-red-2,    false",
            "*,                 private.anything.at:all, true",
            "*-ops,             private.db-ops,        true",
            "*-ops,             private.db-ops-x,      false",
            "a*b*c,             private.aXXbYYc,       true",
            "a*b*c,             private.aXXbYY,        false",
    })
    void roomPatternsGrantPrivateRooms(String pattern, String room, boolean granted) {
        assertEquals(granted, AccessPolicy.mayEnter(new Identity("u", List.of(pattern), null), room));
    }

    @Test
    void publicRoomsAreOpenToAllAndPrivateOnesClosedWithoutGrants() {
        Identity nobody = Identity.unverified("guest");
        assertTrue(AccessPolicy.mayEnter(nobody, "lobby"));
        assertTrue(AccessPolicy.mayEnter(nobody, "privately"));
        assertFalse(AccessPolicy.mayEnter(nobody, "private.x"));
    }

    @Test
    void aLongPatternDoesNotBlowUp() {
        String pattern = "*a".repeat(30) + "*b";
        String room = "private." + "a".repeat(56);
        assertFalse(AccessPolicy.glob(pattern, room));
    }

    @Test
    void directMessagesUnderSharedRoomNeedARoomInCommonNow() {
        ConnectionRegistry registry = new ConnectionRegistry();
        Peer alice = peer("alice");
        Peer bob = peer("bob");
        Peer carol = peer("carol");
        List.of(alice, bob, carol).forEach(registry::add);
        alice.entered("lobby");
        bob.entered("lobby");
        carol.entered("private.x");
        AccessPolicy shared = new AccessPolicy(SecuritySettings.defaults(), registry, new RoomTrail(Duration.ofHours(24), () -> 0));
        assertTrue(shared.mayWrite(alice, "bob"));
        assertFalse(shared.mayWrite(alice, "carol"));
        assertFalse(shared.mayWrite(alice, "nobody"));
        SecuritySettings d = SecuritySettings.defaults();
        AccessPolicy anyone = new AccessPolicy(new SecuritySettings(d.auth(), d.jwt(), d.origins(), d.messagesPerSecond(),
                d.burst(), d.signalsPerSecond(), d.signalBurst(), d.closeAfterRefused(), d.connectionsPerUser(),
                d.connectionsPerAddress(), d.roomsPerConnection(), d.membersPerRoom(), d.idleTimeout(),
                SecuritySettings.DirectRule.ANYONE, d.directWindow()), registry, new RoomTrail(d.directWindow(), () -> 0));
        assertTrue(anyone.mayWrite(alice, "carol"));
    }

    private static Peer peer(String user) {
        Transport t = new Transport() {
            @Override
            public void sendText(String text, Consumer<Throwable> done) {
                done.accept(null);
            }

            @Override
            public void close(int code, String reason) {
            }
        };
        return new Peer(user + "-1", user, "127.0.0.1", t, 1 << 20, java.time.Duration.ofSeconds(1), Runnable::run, Runnable::run);
    }
}
