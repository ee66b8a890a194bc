package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** A batond that was expected to stop by itself: its exit code and everything it printed. */
record FinishedRun(int code, List<String> lines) {
    private static final Duration EXIT = Duration.ofSeconds(30);

    /** Runs {@code builder} to completion (at most 30 s) and collects its output. */
    static FinishedRun of(String name, ProcessBuilder builder) throws InterruptedException {
        try (BatondProcess batond = BatondProcess.start(name, builder)) {
            int code = batond.waitFor(EXIT);
            batond.output().awaitEnd(EXIT);
            return new FinishedRun(code, batond.output().lines());
        }
    }

    List<String> linesContaining(String text) {
        return lines.stream().filter(line -> line.contains(text)).toList();
    }

    long count(Pattern pattern) {
        return lines.stream().filter(line -> pattern.matcher(line).find()).count();
    }

    void assertNoStackTrace() {
        for (String line : lines) {
            assertFalse(BatondLines.STACK_FRAME.matcher(line).find(), () -> "stack trace: " + this);
            assertFalse(line.contains("Exception"), () -> "exception in the output: " + this);
        }
    }

    /** Exactly one line of output, mentioning {@code subject}, and no stack trace. */
    void assertOneLineError(String subject) {
        assertNoStackTrace();
        assertEquals(1, lines.size(), () -> "expected a single line: " + this);
        assertTrue(lines.get(0).contains(subject), () -> "the error does not mention '" + subject + "': " + this);
    }

    @Override
    public String toString() {
        return "exit " + code + ", output:\n" + String.join("\n", lines);
    }
}
