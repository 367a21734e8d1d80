package dev.parley;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.parley.session.Peer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package picture of the main code, enforced: imports run one way, from the endpoint down to the message
 * model, and no package cycle can come back. README's "Design" section draws the same picture.
 */
@AnalyzeClasses(packages = "dev.parley", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** Each package names the Parley packages it may use; anything not listed is a violation. */
    @ArchTest
    static final ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("wiring").definedBy("dev.parley.wiring..")
            .layer("api").definedBy("dev.parley.api..")
            .layer("endpoint").definedBy("dev.parley.endpoint..")
            .layer("chat").definedBy("dev.parley.chat..")
            .layer("room").definedBy("dev.parley.room..")
            .layer("history").definedBy("dev.parley.history..")
            .layer("security").definedBy("dev.parley.security..")
            .layer("session").definedBy("dev.parley.session..")
            .layer("protocol").definedBy("dev.parley.protocol..")
            .layer("message").definedBy("dev.parley.message..")
            .layer("config").definedBy("dev.parley.config..")
            .layer("metrics").definedBy("dev.parley.metrics..")
            .layer("web").definedBy("dev.parley.web..")
            .whereLayer("wiring").mayOnlyAccessLayers("config", "history", "security", "session", "protocol", "metrics")
            .whereLayer("api").mayOnlyAccessLayers("chat", "room", "history", "session", "protocol", "message", "config", "metrics")
            .whereLayer("endpoint").mayOnlyAccessLayers("chat", "security", "session", "protocol", "config")
            .whereLayer("chat").mayOnlyAccessLayers("room", "history", "security", "session", "protocol", "message", "config", "metrics")
            .whereLayer("room").mayOnlyAccessLayers("session", "protocol", "message")
            .whereLayer("history").mayOnlyAccessLayers("message")
            .whereLayer("security").mayOnlyAccessLayers("session", "protocol", "config")
            .whereLayer("session").mayOnlyAccessLayers("protocol")
            .whereLayer("protocol").mayOnlyAccessLayers("message")
            .whereLayer("message").mayNotAccessAnyLayer()
            .whereLayer("config").mayNotAccessAnyLayer()
            .whereLayer("metrics").mayNotAccessAnyLayer()
            .whereLayer("web").mayNotAccessAnyLayer();

    /** No two packages depend on each other, directly or through others. */
    @ArchTest
    static final ArchRule noCycles = slices().matching("dev.parley.(*)..").should().beFreeOfCycles();

    /** Domain and storage know nothing of WebSocket: only the endpoint (and the session's transport) do. */
    @ArchTest
    static final ArchRule domainWithoutWebSocket = noClasses()
            .that().resideInAnyPackage("dev.parley.room..", "dev.parley.history..", "dev.parley.chat..")
            .should().dependOnClassesThat().resideInAPackage("jakarta.websocket..");

    /** A connection's rooms change only with its membership: only the room registry records them. */
    @ArchTest
    static final ArchRule roomsChangedOnlyByTheRegistry = noClasses()
            .that().doNotHaveFullyQualifiedName("dev.parley.room.RoomRegistry")
            .should().callMethod(Peer.class, "entered", String.class)
            .orShould().callMethod(Peer.class, "exited", String.class);
}
