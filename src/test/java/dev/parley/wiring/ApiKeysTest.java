package dev.parley.wiring;

import dev.parley.config.ApiKey;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code parley.api.keys}: keys, each optionally granted senders; a mistake stops the start without showing a key. */
class ApiKeysTest {

    static final String A = "a-key-0123456789abcdef";
    static final String B = "b-key-0123456789abcdef";

    @Test
    void keysWithoutGrantsSendOnlyAsTheIdentity() {
        List<ApiKey> keys = ApiSettingsProducer.keys(" " + A + " ,, " + B);
        assertEquals(List.of(A, B), keys.stream().map(ApiKey::secret).toList());
        assertFalse(keys.get(0).maySendAs("alice"));
    }

    @Test
    void aGrantNamesUsersOrAnyone() {
        List<ApiKey> keys = ApiSettingsProducer.keys(A + ":alice|bob.b, " + B + ":*");
        assertEquals(A, keys.get(0).secret());
        assertEquals(Set.of("alice", "bob.b"), keys.get(0).senders());
        assertTrue(keys.get(0).maySendAs("bob.b"));
        assertFalse(keys.get(0).maySendAs("carol"));
        assertTrue(keys.get(1).maySendAs("carol"));
    }

    @Test
    void aBadSenderOrShortKeyStopsTheStartAndTheMessageShowsNoKey() {
        for (String value : new String[]{A + ":", A + ":alice|", A + ":no spaces", A + ":alice,bob", "short:alice",
                A + ":" + "x".repeat(33)}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ApiSettingsProducer.keys(value), value);
            assertTrue(e.getMessage().startsWith("parley.api.keys: key "), e.getMessage());
            assertFalse(e.getMessage().contains("0123456789") || e.getMessage().contains("short"), e.getMessage());
        }
    }

    @Test
    void toStringNeverShowsTheSecret() {
        assertFalse(ApiSettingsProducer.keys(A + ":alice").toString().contains(A));
    }
}
