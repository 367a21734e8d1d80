package dev.parley.session;

/**
 * Runs sends with the platform class loader as the thread's context loader. Payara: Tyrus restarts its idle
 * timer on every send through the managed scheduled executor, which captures the caller's context by scanning
 * the context loader's class path for providers, per frame; with the application's loader that scan costs more
 * than the send itself (see bench/results-fanout.md and bench/results-signals.md). The code run must load no
 * classes through the context loader.
 */
public final class PlatformContext {

    private PlatformContext() {
    }

    /** Runs {@code sends} on this thread with the platform class loader as context, then restores the caller's. */
    public static void run(Runnable sends) {
        Thread me = Thread.currentThread();
        ClassLoader caller = me.getContextClassLoader();
        me.setContextClassLoader(ClassLoader.getPlatformClassLoader());
        try {
            sends.run();
        } finally {
            me.setContextClassLoader(caller);
        }
    }
}
