package dev.baton.bench;

import java.util.Arrays;

/**
 * Every request of one run, in the order they were added: when it started (nanoseconds on the
 * run's clock), how long it took, how it ended, and which generation answered it
 * ({@link HttpClientConnection.Response#UNKNOWN_GENERATION} when no answer said, failures included).
 * Primitive arrays, so a long run stays small.
 * One writer per log; {@link #merge} combines them after the writers stopped.
 */
final class RequestLog {
    private long[] starts = new long[1024];
    private long[] durations = new long[1024];
    private byte[] outcomes = new byte[1024];
    private int[] generations = new int[1024];
    private int size;
    private long retries;

    void add(long startNanos, long durationNanos, Outcome outcome, int generation) {
        if (size == starts.length) {
            starts = Arrays.copyOf(starts, size * 2);
            durations = Arrays.copyOf(durations, size * 2);
            outcomes = Arrays.copyOf(outcomes, size * 2);
            generations = Arrays.copyOf(generations, size * 2);
        }
        starts[size] = startNanos;
        durations[size] = durationNanos;
        outcomes[size] = (byte) outcome.ordinal();
        generations[size] = generation;
        size++;
    }

    /** A keep-alive request sent again on a new connection after its reused one was closed under it. */
    void retried() {
        retries++;
    }

    int size() {
        return size;
    }

    long retries() {
        return retries;
    }

    long start(int i) {
        return starts[i];
    }

    long duration(int i) {
        return durations[i];
    }

    Outcome outcome(int i) {
        return Outcome.values()[outcomes[i]];
    }

    int generation(int i) {
        return generations[i];
    }

    static RequestLog merge(Iterable<RequestLog> logs) {
        RequestLog all = new RequestLog();
        for (RequestLog log : logs) {
            for (int i = 0; i < log.size; i++) {
                all.add(log.starts[i], log.durations[i], log.outcome(i), log.generations[i]);
            }
            all.retries += log.retries;
        }
        return all;
    }
}
