package dev.baton.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.regex.Matcher;

import org.junit.jupiter.api.Test;

/** The patterns against lines as batond writes them (copied from a real run). */
class BatondLogTest {
    @Test
    void readsBatondsTimestamp() {
        assertEquals(Instant.parse("2026-11-26T02:00:52.684Z"),
                BatondLog.timestamp("2026-11-26T02:00:52.684Z INFO  batond: reload requested (SIGUSR2)"));
        assertEquals(Instant.parse("2026-11-26T01:00:52.684Z"),
                BatondLog.timestamp("2026-11-26T02:00:52.684+01:00 INFO  batond: gen=2 pid=1 ready"));
    }

    @Test
    void matchesTheReloadLines() {
        assertTrue(BatondLog.RELOAD_REQUESTED.matcher("2026-11-26T02:00:52.684Z INFO  batond: reload requested (SIGUSR2)").find());
        assertTrue(BatondLog.spawned(2).matcher("2026-11-26T02:00:52.822Z INFO  batond: gen=2 pid=28465 spawned").find());
        assertTrue(BatondLog.draining(1).matcher(
                "2026-11-26T02:00:57.154Z INFO  batond: gen=1 pid=28335 draining (replaced by gen=2): SIGTERM sent").find());
        assertTrue(BatondLog.exitedOrKilled(1).matcher("2026-11-26T02:00:58.041Z INFO  batond: gen=1 pid=28335 exited code=0").find());
        assertFalse(BatondLog.exitedOrKilled(1).matcher("2026-11-26T02:00:58.041Z INFO  batond: gen=12 pid=1 exited code=0").find());

        Matcher ready = BatondLog.readyOrFailed(2).matcher("2026-11-26T02:00:57.150Z INFO  batond: gen=2 pid=28465 ready");
        assertTrue(ready.find());
        assertEquals(null, ready.group(2));
        Matcher failed = BatondLog.readyOrFailed(2).matcher(
                "2026-11-26T02:00:57.150Z WARN  batond: reload to gen=2 failed: exited before READY (code 1)");
        assertTrue(failed.find());
        assertEquals("exited before READY (code 1)", failed.group(2));
    }
}
