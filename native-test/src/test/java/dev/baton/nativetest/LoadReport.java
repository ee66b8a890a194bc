package dev.baton.nativetest;

import java.util.List;
import java.util.Set;

/**
 * What the load clients saw: {@code ok} 200 responses, {@code badStatus} other responses,
 * {@code ioErrors} requests without a complete response, {@code retries} requests retried after a
 * reused connection was closed, the generations that answered, and the first failure reasons.
 */
record LoadReport(long ok, long badStatus, long ioErrors, long retries, Set<Integer> generations,
                  List<String> firstFailures) {

    long failures() {
        return badStatus + ioErrors;
    }

    @Override
    public String toString() {
        return "ok=" + ok + " badStatus=" + badStatus + " ioErrors=" + ioErrors + " retries=" + retries
                + " generations=" + generations
                + (firstFailures.isEmpty() ? "" : "\nfirst failures:\n  " + String.join("\n  ", firstFailures));
    }
}
