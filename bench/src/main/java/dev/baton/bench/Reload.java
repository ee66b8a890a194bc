package dev.baton.bench;

/**
 * One reload, in nanoseconds on the run's clock: when the signal was sent, when the new generation
 * said it was ready, when the old one had exited. batond's own share, from its log timestamps:
 * reload requested to child spawned, and new child READY to drain signal sent to the old one
 * (null in the other modes).
 */
record Reload(long signal, long ready, long oldExited, Long batondSpawnNanos, Long batondDrainNanos) {
    /** The end of this reload's window: both the new generation ready and the old one gone. */
    long end() {
        return Math.max(ready, oldExited);
    }
}
