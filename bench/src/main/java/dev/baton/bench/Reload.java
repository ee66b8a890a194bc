package dev.baton.bench;

/**
 * One reload, in nanoseconds on the run's clock: when the signal was sent, when the new generation
 * said it was ready, when the old one had exited. batond's own share, from its log timestamps:
 * reload requested to child spawned, and new child READY to drain signal sent to the old one;
 * the new generation's number, its time from spawned to READY, and of that the warm-up it
 * reported (all null in the other modes; the warm-up also when the service reported none).
 */
record Reload(long signal, long ready, long oldExited, Long batondSpawnNanos, Long batondDrainNanos,
        Integer generation, Long batondSpawnToReadyNanos, Long warmupMillis) {

    /** A reload outside batond: only the timeline. */
    static Reload timeline(long signal, long ready, long oldExited) {
        return new Reload(signal, ready, oldExited, null, null, null, null, null);
    }

    /** The end of this reload's window: both the new generation ready and the old one gone. */
    long end() {
        return Math.max(ready, oldExited);
    }

    Reload withWarmupMillis(Long warmupMillis) {
        return new Reload(signal, ready, oldExited, batondSpawnNanos, batondDrainNanos, generation,
                batondSpawnToReadyNanos, warmupMillis);
    }
}
