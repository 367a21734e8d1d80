package dev.parley.security;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OriginPolicyTest {

    private final OriginPolicy defaults = new OriginPolicy(List.of("self", "localhost"));
    private final OriginPolicy listed = new OriginPolicy(List.of("https://chat.example.com", "http://app.test:8080"));

    @ParameterizedTest(name = "default policy: Origin {0}, Host {1} -> {2}")
    @CsvSource(nullValues = "NONE", value = {
            "NONE,                          chat.example.com,      true",
            "https://chat.example.com,      chat.example.com,      true",
            "https://chat.example.com,      chat.example.com:443,  true",
            "https://chat.example.com:8080, chat.example.com:8080, true",
            "HTTPS://Chat.Example.com/,     chat.example.com,      true",
            "https://chat.example.com,      chat.example.com:8443, false",
            "https://evil.example,          chat.example.com,      false",
            "https://chat.example.com.evil.example, chat.example.com, false",
            "http://localhost:3000,         chat.example.com,      true",
            "http://127.0.0.1:5173,         chat.example.com,      true",
            "http://[::1]:8080,             chat.example.com,      true",
            "http://localhost.evil.example, chat.example.com,      false",
            "null,                          chat.example.com,      false",
            "file://,                       chat.example.com,      false",
            "https://evil.example,          NONE,                  false",
            "not a url,                     chat.example.com,      false",
    })
    void theServersOwnOriginAndLocalhostByDefault(String origin, String host, boolean allowed) {
        assertEquals(allowed, defaults.allows(origin, host, "https"));
    }

    @ParameterizedTest(name = "self on a {2} server: Origin {0}, Host {1} -> {3}")
    @CsvSource({
            "http://chat.example,        chat.example,      http,  true",
            "https://chat.example,       chat.example,      http,  false",
            "https://chat.example,       chat.example,      https, true",
            "http://chat.example,        chat.example,      https, false",
            "http://chat.example:8080,   chat.example:8080, http,  true",
            "https://chat.example:8080,  chat.example:8080, http,  false",
            "https://127.0.0.1:8080,     127.0.0.1:8080,    http,  false",
            "http://127.0.0.1:8080,      127.0.0.1:8080,    http,  true",
    })
    void selfComparesTheSchemeToo(String origin, String host, String scheme, boolean allowed) {
        assertEquals(allowed, new OriginPolicy(List.of("self")).allows(origin, host, scheme));
    }

    @ParameterizedTest(name = "secure={0}, X-Forwarded-Proto {1}, trusted={2} -> {3}")
    @CsvSource(nullValues = "NONE", value = {
            "false, https,       false, http",
            "true,  http,        false, https",
            "false, NONE,        true,  http",
            "false, https,       true,  https",
            "false, 'HTTPS, http', true, https",
            "true,  http,        true,  http",
            "false, gopher,      true,  http",
    })
    void theForwardedProtoCountsOnlyWhenTheOperatorTrustsIt(boolean secure, String forwarded, boolean trusted, String scheme) {
        assertEquals(scheme, new OriginPolicy(List.of("self"), trusted).schemeOf(secure, forwarded));
    }

    @ParameterizedTest(name = "listed: Origin {0} -> {1}")
    @CsvSource({
            "https://chat.example.com,   true",
            "https://chat.example.com/,  true",
            "http://chat.example.com,    false",
            "http://app.test:8080,       true",
            "http://app.test,            false",
            "http://localhost:3000,      false",
    })
    void anExplicitListAllowsExactlyThoseOrigins(String origin, boolean allowed) {
        assertEquals(allowed, listed.allows(origin, "server.internal:8080", "http"));
    }

    @ParameterizedTest
    @CsvSource({"https://anything.example", "null"})
    void starAllowsEveryOrigin(String origin) {
        assertEquals(true, new OriginPolicy(List.of("*")).allows(origin, "h", "http"));
    }
}
