package dev.baton.bench;

import java.util.List;
import java.util.Map;

/**
 * One run of a scenario: a {@link Mode} (which supervisor, which signal) with the batond options
 * and service environment this run adds. The classic scenario has one plain variant per mode;
 * the slow-start scenario runs batond three ways.
 *
 * @param key           the name on the command line (--modes) and in results.json
 * @param label         the name in the table and the chart
 * @param batondOptions given to batond before --listen (batond runs only)
 * @param serviceEnv    added to the service's environment, on top of the scenario's
 */
record Variant(String key, String label, Mode mode, List<String> batondOptions, Map<String, String> serviceEnv) {
    /** hello's warm-up before READY (issue 14), in the warm-up run. */
    static final String WARMUP_REQUESTS_VARIABLE = "HELLO_WARMUP_REQUESTS";
    static final int WARMUP_REQUESTS = 5000;
    /**
     * Then on until the JIT is idle, at most this long: 5,000 requests make the code hot, but on 2
     * cores C2 is still compiling it for a second or more after READY without this.
     */
    static final String WARMUP_JIT_IDLE_VARIABLE = "HELLO_WARMUP_JIT_IDLE_S";
    static final int WARMUP_JIT_IDLE_SECONDS = 30;
    static final String WARMUP_LABEL = "warm-up " + WARMUP_REQUESTS + " requests, then until the JIT is idle";
    static final Map<String, String> WARMUP_ENV = Map.of(WARMUP_REQUESTS_VARIABLE, Integer.toString(WARMUP_REQUESTS),
            WARMUP_JIT_IDLE_VARIABLE, Integer.toString(WARMUP_JIT_IDLE_SECONDS));

    /**
     * The warm-up runs' --ready-timeout: their start plus warm-up took 47 to 55 s here under the
     * load (3 s of start CPU shared with the serving generation, 5,000 requests, up to 30 s for the
     * JIT), too close to batond's default of 60 s, which failed one such reload. About twice the longest.
     */
    static final String WARMUP_READY_TIMEOUT = "120s";

    static final String BATOND_NICE_19 = "batond-nice19";
    static final String BATOND_NICE_0 = "batond-nice0";
    static final String BATOND_WARMUP = "batond-warmup";
    static final String BATOND_WARMUP_MIN_READY = "batond-warmup-minready";
    /** The overlap of the min-ready run: longer than the first second after READY, so its drain falls outside it. */
    static final String MIN_READY = "2s";

    static List<Variant> classic() {
        return List.of(plain(Mode.BATOND), plain(Mode.START_SERVER), plain(Mode.RESTART));
    }

    static List<Variant> slowStart() {
        return List.of(
                new Variant(BATOND_NICE_19, "batond, --start-nice 19", Mode.BATOND, List.of("--start-nice", "19"), Map.of()),
                new Variant(BATOND_NICE_0, "batond, --start-nice 0", Mode.BATOND, List.of("--start-nice", "0"), Map.of()),
                new Variant(BATOND_WARMUP, "batond, --start-nice 19, " + WARMUP_LABEL, Mode.BATOND,
                        List.of("--start-nice", "19", "--ready-timeout", WARMUP_READY_TIMEOUT), WARMUP_ENV),
                new Variant(BATOND_WARMUP_MIN_READY, "batond, --start-nice 19, " + WARMUP_LABEL + ", --min-ready " + MIN_READY,
                        Mode.BATOND, List.of("--start-nice", "19", "--min-ready", MIN_READY, "--ready-timeout", WARMUP_READY_TIMEOUT),
                        WARMUP_ENV),
                new Variant(Mode.START_SERVER.key, "start_server, SIGHUP (--interval 1)", Mode.START_SERVER, List.of(), Map.of()),
                plain(Mode.RESTART));
    }

    /** The variant of {@code known} called {@code key}. */
    static Variant of(List<Variant> known, String key) {
        for (Variant variant : known) {
            if (variant.key.equals(key)) {
                return variant;
            }
        }
        throw new IllegalArgumentException("unknown run '" + key + "': use "
                + String.join(", ", known.stream().map(Variant::key).toList()));
    }

    boolean warmsUp() {
        return serviceEnv.containsKey(WARMUP_REQUESTS_VARIABLE);
    }

    private static Variant plain(Mode mode) {
        return new Variant(mode.key, mode.label, mode, List.of(), Map.of());
    }
}
