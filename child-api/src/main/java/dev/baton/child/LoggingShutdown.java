package dev.baton.child;

import java.lang.reflect.Method;

/**
 * The drain's last stage before exit: flush and stop logging. Stops logback when it is the
 * SLF4J backend (found by reflection, so child-api never brings logback or SLF4J along), and
 * flushes the standard streams in every case. Nothing can be logged through logback after it.
 */
final class LoggingShutdown {
    private static final String SLF4J_FACTORY = "org.slf4j.LoggerFactory";
    private static final String LOGBACK_CONTEXT = "ch.qos.logback.classic.LoggerContext";

    private LoggingShutdown() {}

    static void stop() {
        System.out.flush();
        System.err.flush();
        ClassLoader loader = LoggingShutdown.class.getClassLoader();
        try {
            Class<?> factory = Class.forName(SLF4J_FACTORY, false, loader);
            Object context = factory.getMethod("getILoggerFactory").invoke(null);
            if (context != null && context.getClass().getName().equals(LOGBACK_CONTEXT)) {
                // stop() flushes and closes every appender, async ones included.
                Method stop = context.getClass().getMethod("stop");
                stop.invoke(context);
            }
        } catch (ClassNotFoundException absent) {
            // no SLF4J: System.Logger's default (java.util.logging) writes synchronously
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            System.err.println("baton: cannot stop logback: " + e);
        }
        System.out.flush();
        System.err.flush();
    }
}
