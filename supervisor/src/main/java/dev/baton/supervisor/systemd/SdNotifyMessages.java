package dev.baton.supervisor.systemd;

import dev.baton.supervisor.lifecycle.ServiceManager;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The lifecycle's news in sd_notify(3)'s words: READY=1, RELOADING=1 with MONOTONIC_USEC
 * (systemd >= 253 checks it), STATUS=, STOPPING=1, EXTEND_TIMEOUT_USEC=, WATCHDOG=1. Each call
 * is one datagram for {@code send}.
 */
public final class SdNotifyMessages implements ServiceManager {
    private final Consumer<String> send;
    private final LongSupplier monotonicMicros;

    /** {@code monotonicMicros}: CLOCK_MONOTONIC in microseconds, as MONOTONIC_USEC wants it. */
    public SdNotifyMessages(Consumer<String> send, LongSupplier monotonicMicros) {
        this.send = send;
        this.monotonicMicros = monotonicMicros;
    }

    @Override
    public void ready(String status) {
        send.accept("READY=1\nSTATUS=" + status);
    }

    @Override
    public void reloading(String status) {
        send.accept("RELOADING=1\nMONOTONIC_USEC=" + monotonicMicros.getAsLong() + "\nSTATUS=" + status);
    }

    @Override
    public void status(String status) {
        send.accept("STATUS=" + status);
    }

    @Override
    public void stopping(String status, Duration extendBy) {
        send.accept("STOPPING=1\nSTATUS=" + status + "\nEXTEND_TIMEOUT_USEC=" + micros(extendBy));
    }

    @Override
    public void extendTimeout(Duration extendBy) {
        send.accept("EXTEND_TIMEOUT_USEC=" + micros(extendBy));
    }

    @Override
    public void watchdog() {
        send.accept("WATCHDOG=1");
    }

    /** The message that puts a descriptor named {@code name} in systemd's file descriptor store. */
    static String fdStore(String name) {
        return "FDSTORE=1\nFDNAME=" + name;
    }

    /** systemd's rule for FDNAME= (fdname_is_valid): 1 to 255 printable ASCII characters, no ':'. */
    static boolean validFdName(String name) {
        if (name.isEmpty() || name.length() > 255) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x21 || c > 0x7e || c == ':') {
                return false;
            }
        }
        return true;
    }

    private static long micros(Duration d) {
        return d.toNanos() / 1000;
    }
}
