package dev.baton.bench;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * ready-windows.tsv (slow-start scenario): every answered request that started from 1 s before to
 * 2 s after a READY, one line each, for a look closer than the first second's p99: when after
 * READY the slow ones came, which generation answered them, and where the old generation's exit
 * fell. Times in milliseconds from that READY; requests sorted by start.
 */
final class ReadyWindows {
    static final long BEFORE_NANOS = 1_000_000_000L;
    static final long AFTER_NANOS = 2_000_000_000L;
    static final String HEADER = "run\treload\tstart_ms\tduration_ms\tgeneration\told_exit_ms\n";

    private ReadyWindows() {
    }

    static String tsv(List<RunResult> runs) {
        StringBuilder out = new StringBuilder(HEADER);
        for (RunResult run : runs) {
            RequestLog log = run.requests();
            Integer[] order = new Integer[log.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.comparingLong(log::start)); // the clients' logs are merged one after another
            int number = 0;
            for (Reload reload : run.reloads()) {
                number++;
                for (int i : order) {
                    long from = log.start(i) - reload.ready();
                    if (log.outcome(i) != Outcome.OK || from < -BEFORE_NANOS || from >= AFTER_NANOS) {
                        continue;
                    }
                    out.append(run.variant().key()).append('\t').append(number).append('\t').append(millis(from)).append('\t')
                            .append(millis(log.duration(i))).append('\t').append(log.generation(i)).append('\t')
                            .append(millis(reload.oldExited() - reload.ready())).append('\n');
                }
            }
        }
        return out.toString();
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }
}
