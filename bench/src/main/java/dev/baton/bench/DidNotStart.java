package dev.baton.bench;

/**
 * A run whose service never served (batond refusing an option this build lacks, say): the
 * benchmark says so in one line and goes on with the other runs.
 */
final class DidNotStart extends Exception {
    private static final long serialVersionUID = 1L;

    DidNotStart(String message) {
        super(message);
    }

    /** Why {@code process} did not get to serving: its exit and last line, or the first line of {@code failure}. */
    static DidNotStart of(String name, Launched process, Exception failure) throws InterruptedException {
        // The output can end a moment before the exit is reaped.
        int code = process.awaitExit(java.time.Duration.ofSeconds(2));
        if (code != -1) {
            return new DidNotStart(name + " exited with code " + code + ": " + process.output().lastLine());
        }
        String message = String.valueOf(failure.getMessage());
        int newline = message.indexOf('\n');
        return new DidNotStart(newline < 0 ? message : message.substring(0, newline));
    }
}
