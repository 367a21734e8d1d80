package dev.parley.it;

import dev.parley.it.support.Deployments;
import dev.parley.it.support.TestClient;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shared-room rule for direct messages in open mode, without a default room (issue 15): only rooms a user
 * really was in count; a {@code leave} of a room one was never in changes nothing. Token mode: {@link SecurityIT}.
 */
@ExtendWith(ArquillianExtension.class)
@Timeout(60)
class DirectRuleIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley("parley.default-room=none\n");
    }

    @ArquillianResource
    URL base;

    @Test
    void aLeaveOfARoomNeverJoinedNeitherOpensDirectMessagesNorTellsWhoWasThere() {
        try (TestClient boss = TestClient.named(base, "boss")) {
            boss.send("{\"type\":\"join\",\"room\":\"board-x\",\"ref\":\"j\"}");
            boss.expect("joined");
            boss.closeNormally(TestClient.WAIT);
        }
        try (TestClient eve = TestClient.named(base, "eve")) {
            eve.send("{\"type\":\"direct\",\"to\":\"boss\",\"text\":\"hi\",\"ref\":\"d1\"}");
            eve.expectError("forbidden", "d1");
            eve.send("{\"type\":\"leave\",\"room\":\"board-x\",\"ref\":\"l1\"}");
            eve.expectError("not_member", "l1");
            eve.send("{\"type\":\"direct\",\"to\":\"boss\",\"text\":\"hi again\",\"ref\":\"d2\"}");
            eve.expectError("forbidden", "d2");
        }
    }

    @Test
    void aRoomBothReallyWereInStillLetsThemWrite() {
        try (TestClient chief = TestClient.named(base, "chief")) {
            chief.send("{\"type\":\"join\",\"room\":\"board-y\",\"ref\":\"j\"}");
            chief.expect("joined");
            chief.closeNormally(TestClient.WAIT);
        }
        try (TestClient fay = TestClient.named(base, "fay")) {
            fay.send("{\"type\":\"join\",\"room\":\"board-y\",\"ref\":\"j\"}");
            fay.expect("joined");
            fay.send("{\"type\":\"leave\",\"room\":\"board-y\",\"ref\":\"l\"}");
            fay.expect("left");
            fay.send("{\"type\":\"direct\",\"to\":\"chief\",\"text\":\"see you\",\"ref\":\"d\"}");
            fay.expect("direct");
            assertEquals("d", fay.expect("ack").getString("ref"));
        }
    }
}
