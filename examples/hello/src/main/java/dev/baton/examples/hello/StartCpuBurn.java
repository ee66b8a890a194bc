package dev.baton.examples.hello;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A slow start on demand, for the benchmark's slow-start scenario: {@code HELLO_START_CPU_MS=M}
 * makes each of {@code HELLO_START_CPU_THREADS=T} threads (default 1) hash until it has used M ms
 * of CPU time, and {@link #run} returns when all have. It stands for what a big service does
 * before it can serve (class loading, caches, JIT), so it is an amount of CPU work, not of wall
 * time: a start at low priority on a busy machine takes longer. Either at 0 (the default for
 * the milliseconds): off.
 */
final class StartCpuBurn {
    static final String MS_VARIABLE = "HELLO_START_CPU_MS";
    static final String THREADS_VARIABLE = "HELLO_START_CPU_THREADS";
    /** Ten minutes, 64 threads: a typo must not stall a start for days or fork thousands of threads. */
    static final long MAX_MS = 600_000;
    static final int MAX_THREADS = 64;

    /** What a burn did: per thread, the CPU time it used, in ms, and the digest it ended with (the work's result). */
    record Done(long wallMillis, List<Long> cpuMillis, long digest) {}

    private final long millis;
    private final int threads;

    StartCpuBurn(long millis, long threads) {
        if (millis < 0 || millis > MAX_MS) {
            throw new IllegalArgumentException(MS_VARIABLE + " must be 0 to " + MAX_MS + ", not " + millis);
        }
        if (threads < 0 || threads > MAX_THREADS) {
            throw new IllegalArgumentException(THREADS_VARIABLE + " must be 0 to " + MAX_THREADS + ", not " + threads);
        }
        this.millis = millis;
        this.threads = (int) threads;
    }

    /** The burn the environment asks for; a bad value is an IllegalArgumentException that names the variable. */
    static StartCpuBurn fromEnvironment(Map<String, String> env) {
        return new StartCpuBurn(number(env, MS_VARIABLE, 0), number(env, THREADS_VARIABLE, 1));
    }

    boolean on() {
        return millis > 0 && threads > 0;
    }

    long millis() {
        return millis;
    }

    int threads() {
        return threads;
    }

    /** Burns, on {@link #threads} threads of its own, and returns when every one has used {@link #millis} of CPU. */
    Done run() throws InterruptedException {
        if (!on()) {
            return new Done(0, List.of(), 0);
        }
        long start = System.nanoTime();
        long[] cpu = new long[threads];
        long[] digests = new long[threads];
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int index = i;
            Thread worker = new Thread(() -> {
                long[] result = burn(millis, index);
                cpu[index] = result[0];
                digests[index] = result[1];
            }, "hello-start-cpu-" + i);
            worker.setDaemon(true); // a SIGTERM during the start must not wait for it
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        long digest = 0;
        List<Long> used = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            used.add(cpu[i]);
            digest ^= digests[i];
        }
        return new Done((System.nanoTime() - start) / 1_000_000, List.copyOf(used), digest);
    }

    /**
     * SHA-256 over its own previous output until this thread has used {@code millis} of CPU time
     * (wall time where the JVM cannot tell thread CPU time). Each round depends on the last and
     * the result is returned, so the JIT cannot drop the work. Each thread starts from its own
     * {@code seed}: from the same block, two threads that made as many rounds would end with the
     * same digest, and the digests' XOR would be 0. {CPU ms used, digest}.
     */
    static long[] burn(long millis, int seed) {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        boolean cpuClock = bean.isCurrentThreadCpuTimeSupported();
        long budget = millis * 1_000_000;
        long from = cpuClock ? bean.getCurrentThreadCpuTime() : System.nanoTime();
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JDK", e); // every JDK has it
        }
        byte[] block = new byte[4096];
        block[0] = (byte) (seed + 1); // at most MAX_THREADS: one byte
        long used;
        do {
            for (int round = 0; round < 64; round++) {
                sha.update(block);
                byte[] out = sha.digest();
                System.arraycopy(out, 0, block, (round * 32) % block.length, out.length);
            }
            used = (cpuClock ? bean.getCurrentThreadCpuTime() : System.nanoTime()) - from;
        } while (used < budget);
        long digest = 0;
        for (int i = 0; i < 8; i++) {
            digest = digest << 8 | (block[i] & 0xff);
        }
        return new long[] {used / 1_000_000, digest};
    }

    private static long number(Map<String, String> env, String name, long fallback) {
        String text = env.get(name);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not '" + text + "'");
        }
    }
}
