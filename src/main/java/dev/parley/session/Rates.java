package dev.parley.session;

/**
 * The rate limits of one connection's inbound frames (0 turns a limit off). Immutable.
 *
 * @param messagesPerSecond steady rate of chat frames
 * @param burst             chat frames allowed at once before the rate applies
 * @param signalsPerSecond  steady rate of typing and ping frames, counted apart from chat
 * @param signalBurst       typing and ping frames allowed at once
 * @param closeAfterRefused refused frames (within about ten seconds) after which the connection is closed
 * @param appSignalsPerSecond steady rate of application signal and state frames, counted apart from both others
 * @param appSignalBurst    application signal and state frames allowed at once
 */
public record Rates(double messagesPerSecond, int burst, double signalsPerSecond, int signalBurst, int closeAfterRefused,
                    double appSignalsPerSecond, int appSignalBurst) {

    /** No limit at all: for connections made by tests and tools. */
    public static final Rates UNLIMITED = new Rates(0, 0, 0, 0, 0);

    /** Limits without one for application signals. */
    public Rates(double messagesPerSecond, int burst, double signalsPerSecond, int signalBurst, int closeAfterRefused) {
        this(messagesPerSecond, burst, signalsPerSecond, signalBurst, closeAfterRefused, 0, 0);
    }

    /** The same limits with the given one for application signals and state. */
    public Rates withAppSignals(double perSecond, int burst) {
        return new Rates(messagesPerSecond, this.burst, signalsPerSecond, signalBurst, closeAfterRefused, perSecond, burst);
    }
}
