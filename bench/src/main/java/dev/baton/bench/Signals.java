package dev.baton.bench;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Sends a named signal with kill(1): the JDK itself can only send TERM and KILL. */
final class Signals {
    private Signals() {}

    /** Sends {@code signal} (say {@code USR2}) to {@code pid}; returns once kill(1) exited, the signal sent. */
    static void send(long pid, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS)) {
            kill.destroyForcibly();
            throw new IOException("kill -" + signal + " " + pid + " did not finish");
        }
        if (kill.exitValue() != 0) {
            throw new IOException("kill -" + signal + " " + pid + " failed: "
                    + new String(kill.getInputStream().readAllBytes()).strip());
        }
    }
}
