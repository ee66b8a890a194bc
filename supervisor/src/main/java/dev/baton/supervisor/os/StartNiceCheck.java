package dev.baton.supervisor.os;

import dev.baton.supervisor.lifecycle.StartPriority;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Whether {@code --start-nice N} can work here. Raising a thread's nice value is always allowed,
 * lowering it back is not: the kernel asks for CAP_SYS_NICE, or an RLIMIT_NICE of at least
 * {@code 20 - nice} (see can_nice() in the kernel). A child batond could not restore would stay
 * niced for good, so without either the option is off, and says why.
 */
public final class StartNiceCheck {
    /** The capability's bit in /proc/PID/status CapEff. */
    static final int CAP_SYS_NICE = 23;

    private StartNiceCheck() {}

    /**
     * @param requested  --start-nice (0: off)
     * @param ownNice    batond's own nice value, what a child is restored to
     * @param capEff     the CapEff line's hex value, null when unknown
     * @param rlimitNice RLIMIT_NICE's soft limit (Long.MAX_VALUE: unlimited), empty when unknown
     */
    static StartPriority decide(int requested, int ownNice, String capEff, OptionalLong rlimitNice) {
        if (requested == 0) {
            return StartPriority.off("--start-nice 0");
        }
        if (ownNice >= requested) {
            return StartPriority.off("batond itself runs at nice " + ownNice + ", not below --start-nice " + requested);
        }
        if (hasCapSysNice(capEff)) {
            return StartPriority.nice(requested);
        }
        long needed = 20L - ownNice;
        if (rlimitNice.isPresent() && rlimitNice.getAsLong() >= needed) {
            return StartPriority.nice(requested);
        }
        return StartPriority.off("batond could not give a child its priority back (it needs CAP_SYS_NICE or an RLIMIT_NICE of "
                + needed + ", e.g. LimitNICE=" + (ownNice >= 0 ? "+" : "") + ownNice + " in its unit; it has "
                + (rlimitNice.isPresent() ? Long.toString(rlimitNice.getAsLong()) : "none readable") + ")");
    }

    static boolean hasCapSysNice(String capEff) {
        if (capEff == null) {
            return false;
        }
        try {
            return (Long.parseUnsignedLong(capEff.strip(), 16) >>> CAP_SYS_NICE & 1) == 1;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** What batond's own /proc files say (proc is /proc), for {@link #decide}. */
    public static StartPriority check(Path proc, int requested) {
        if (requested == 0) {
            return decide(0, 0, null, OptionalLong.empty());
        }
        OptionalInt own = ownNice(proc);
        if (own.isEmpty()) {
            return StartPriority.off("cannot read batond's own nice value from " + proc.resolve("self/stat"));
        }
        return decide(requested, own.getAsInt(), capEff(proc), rlimitNice(proc));
    }

    /** The nice value of the calling thread's process (its main thread): what children are restored to. */
    public static OptionalInt ownNice(Path proc) {
        return ProcStat.nice(proc.resolve("self/stat"));
    }

    private static String capEff(Path proc) {
        try {
            for (String line : Files.readAllLines(proc.resolve("self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return line.substring("CapEff:".length()).strip();
                }
            }
        } catch (IOException e) {
            // unknown: the limit may still allow it
        }
        return null;
    }

    /** "Max nice priority   SOFT   HARD" in /proc/self/limits. */
    static OptionalLong rlimitNice(Path proc) {
        try {
            for (String line : Files.readAllLines(proc.resolve("self/limits"))) {
                if (line.startsWith("Max nice priority")) {
                    return parseLimit(line.substring("Max nice priority".length()).strip().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            // unknown
        }
        return OptionalLong.empty();
    }

    static OptionalLong parseLimit(String soft) {
        if (soft.equals("unlimited")) {
            return OptionalLong.of(Long.MAX_VALUE);
        }
        try {
            return OptionalLong.of(Long.parseLong(soft));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
