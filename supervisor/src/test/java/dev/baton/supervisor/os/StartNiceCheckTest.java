package dev.baton.supervisor.os;

import dev.baton.supervisor.lifecycle.StartPriority;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whether batond could give a child its priority back: CAP_SYS_NICE, or RLIMIT_NICE of 20 - its own nice. */
class StartNiceCheckTest {
    /** A root's full set, and an unprivileged user's empty one. */
    static final String ALL_CAPS = "000001ffffffffff";
    static final String NO_CAPS = "0000000000000000";
    /** Everything but bit 23. */
    static final String ALL_BUT_SYS_NICE = "000001ffff7fffff";

    @Test
    void withCapSysNiceItIsOn() {
        assertEquals(StartPriority.nice(19), StartNiceCheck.decide(19, 0, ALL_CAPS, OptionalLong.of(0)));
        assertEquals(StartPriority.nice(10), StartNiceCheck.decide(10, 0, "0000000000800000", OptionalLong.empty()));
    }

    @Test
    void withoutTheCapabilityTheLimitDecides() {
        // Back to nice 0 takes an RLIMIT_NICE of 20; to nice 5, of 15.
        assertEquals(StartPriority.nice(19), StartNiceCheck.decide(19, 0, NO_CAPS, OptionalLong.of(20)));
        assertEquals(StartPriority.nice(19), StartNiceCheck.decide(19, 0, ALL_BUT_SYS_NICE, OptionalLong.of(Long.MAX_VALUE)));
        assertEquals(StartPriority.nice(19), StartNiceCheck.decide(19, 5, NO_CAPS, OptionalLong.of(15)));
        StartPriority off = StartNiceCheck.decide(19, 0, NO_CAPS, OptionalLong.of(19));
        assertFalse(off.on());
        assertTrue(off.mechanism().startsWith("off: batond could not give a child its priority back"), off.mechanism());
        assertTrue(off.mechanism().contains("RLIMIT_NICE of 20, e.g. LimitNICE=+0 in its unit")
                && off.mechanism().endsWith("it has 19)"), off.mechanism());
        assertFalse(StartNiceCheck.decide(19, 0, ALL_BUT_SYS_NICE, OptionalLong.of(0)).on(), "root without CAP_SYS_NICE");
        assertFalse(StartNiceCheck.decide(19, 0, null, OptionalLong.empty()).on(), "nothing readable: off");
        assertFalse(StartNiceCheck.decide(19, 0, "not hex", OptionalLong.of(0)).on());
    }

    @Test
    void zeroOrABatondAlreadyAsNiceIsOff() {
        assertEquals(StartPriority.off("--start-nice 0"), StartNiceCheck.decide(0, 0, ALL_CAPS, OptionalLong.empty()));
        assertEquals(StartPriority.off("batond itself runs at nice 19, not below --start-nice 19"),
                StartNiceCheck.decide(19, 19, ALL_CAPS, OptionalLong.empty()));
        assertFalse(StartNiceCheck.decide(10, 12, ALL_CAPS, OptionalLong.empty()).on());
        assertTrue(StartNiceCheck.decide(19, -5, ALL_CAPS, OptionalLong.empty()).on());
        assertFalse(StartNiceCheck.decide(19, -5, NO_CAPS, OptionalLong.of(24)).on(), "back to -5 takes 25");
    }

    @Test
    void readsTheProcFilesItIsGiven(@TempDir Path proc) throws Exception {
        Path self = Files.createDirectories(proc.resolve("self"));
        Files.writeString(self.resolve("stat"), "42 (ja va) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 1 1 1\n");
        Files.writeString(self.resolve("status"), "Name:\tjava\nCapEff:\t" + NO_CAPS + "\n");
        Files.writeString(self.resolve("limits"), "Limit                     Soft Limit           Hard Limit           Units\n"
                + "Max nice priority         0                    0\n");
        StartPriority off = StartNiceCheck.check(proc, 19);
        assertFalse(off.on(), off.mechanism());
        Files.writeString(self.resolve("limits"), "Max nice priority         unlimited            unlimited\n");
        assertEquals(StartPriority.nice(19), StartNiceCheck.check(proc, 19));
        assertEquals(0, StartNiceCheck.ownNice(proc).getAsInt());
        Files.writeString(self.resolve("stat"), "42 (java) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 39 19 1 0 1 1 1\n");
        assertEquals(19, StartNiceCheck.ownNice(proc).getAsInt());
        assertEquals(StartPriority.off("batond itself runs at nice 19, not below --start-nice 19"), StartNiceCheck.check(proc, 19));
    }
}
