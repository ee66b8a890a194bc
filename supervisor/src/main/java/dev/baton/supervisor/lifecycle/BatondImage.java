package dev.baton.supervisor.lifecycle;

import java.time.Instant;

/**
 * The running image of batond: its version, the JVM it runs on ({@code java.version} and
 * {@code java.vm.name}) and when this image started (the process may be older: an upgrade
 * replaces the image and keeps the pid).
 */
public record BatondImage(String version, String javaVersion, String vmName, Instant startedAt) {
    /** "17.0.12 (OpenJDK 64-Bit Server VM)". */
    public String jvm() {
        return javaVersion + " (" + vmName + ")";
    }
}
