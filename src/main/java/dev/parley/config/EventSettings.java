package dev.parley.config;

/**
 * The settings of application events: data on messages, signals and member state. Read once at start from
 * MicroProfile Config ({@code wiring.SettingsProducer} names the properties). Immutable.
 *
 * @param maxDataBytes        the largest {@code data} object of a message or signal, in UTF-8 bytes of its compact encoding
 * @param maxStateBytes       the largest member state, in the same unit
 * @param signalsPerSecond    steady rate of signal and state frames per connection (0: no limit)
 * @param signalBurst         signal and state frames a connection may send at once before the rate applies
 */
public record EventSettings(int maxDataBytes, int maxStateBytes, double signalsPerSecond, int signalBurst) {

    /** The defaults, as documented in the README: a cursor at 60 frames per second fits with room to spare. */
    public static EventSettings defaults() {
        return new EventSettings(16 * 1024, 1024, 120, 240);
    }
}
