package dev.baton.nativetest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code systemd-analyze verify} on one unit file: its exit code and everything it printed. */
final class SystemdAnalyze {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private SystemdAnalyze() {}

    record Verification(Path unit, int code, String output) {
        /** Clean means exit 0 and not a word: systemd reports an unknown or bad setting as a warning with exit 0. */
        boolean clean() {
            return code == 0 && output.isBlank();
        }

        @Override
        public String toString() {
            return "systemd-analyze verify " + unit + ": exit " + code + (output.isBlank() ? ", no output" : ", output:\n" + output);
        }
    }

    /**
     * Verifies {@code unit}. Sibling unit files in its directory are found too (a .socket needs
     * its .service). {@code --recursive-errors=one}: a dependency that does not exist is an error,
     * while the host's own units further down the graph are not this project's to check.
     * {@code --man=no}: no man pages are looked up for Documentation=.
     */
    static Verification verify(Path unit) throws IOException, InterruptedException {
        List<String> command = List.of("systemd-analyze", "verify", "--man=no", "--generators=no",
                "--recursive-errors=one", unit.toString());
        // Output to a file, not a pipe: a hung systemd-analyze must not block the test in a read.
        Path output = Files.createTempFile("systemd-analyze", ".out");
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("cannot run systemd-analyze (" + e.getMessage()
                    + "): install it with 'apt-get install systemd' (.ci/run does)", e);
        }
        try {
            if (!process.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("systemd-analyze verify " + unit + " still running after " + LIMIT + ":\n"
                        + Files.readString(output));
            }
            return new Verification(unit, process.exitValue(), Files.readString(output));
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(output);
        }
    }
}
