package dev.baton.supervisor.cli;

import java.util.Optional;

/**
 * HotSpot suspends and resumes threads with SIGUSR2 (JFR's sampler does it many times a
 * second). A Java handler for USR2 would take each of those as a reload request, so batond
 * handles USR2 only when the VM was told to use another signal through {@code _JAVA_SR_SIGNUM}.
 */
public final class SrSignal {
    /** What bin/batond and the unit file set: a real-time signal nothing else here uses. */
    static final int RECOMMENDED = 39;

    private SrSignal() {}

    /** The problem with the given {@code _JAVA_SR_SIGNUM} value, if any. */
    public static Optional<String> problem(String value) {
        String fix = "start batond through bin/batond, or set _JAVA_SR_SIGNUM=" + RECOMMENDED + " in its environment";
        if (value == null || value.isBlank()) {
            return Optional.of("_JAVA_SR_SIGNUM is not set, so SIGUSR2 belongs to the JVM (JFR would trigger reloads): " + fix);
        }
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return Optional.of("_JAVA_SR_SIGNUM='" + value + "' is not a signal number: " + fix);
        }
        // 32 and 33 belong to glibc; 34..64 are real-time signals nobody else here sends.
        if (n < 34 || n > 64) {
            return Optional.of("_JAVA_SR_SIGNUM=" + n + " is not a free real-time signal (34-64): " + fix);
        }
        return Optional.empty();
    }
}
