package dev.baton.nativetest;

import java.util.regex.Pattern;

/** batond's log vocabulary: one line per event, matched with {@code find()}. */
final class BatondLines {
    private BatondLines() {}

    static Pattern spawned(int generation) {
        return Pattern.compile("gen=" + generation + " pid=(\\d+) spawned");
    }

    static Pattern ready(int generation) {
        return Pattern.compile("gen=" + generation + " pid=(\\d+) ready");
    }

    static Pattern draining(int generation) {
        return Pattern.compile("gen=" + generation + " pid=(\\d+) draining");
    }

    /** Group 2 is {@code exited code=C} (group 3 the code), or {@code killed...} when the child was killed. */
    static Pattern exitedOrKilled(int generation) {
        return Pattern.compile("gen=" + generation + " pid=(\\d+) (exited code=(-?\\d+)|killed.*)");
    }

    /** Any generation's exit: group 1 generation, group 2 pid, group 3 code. */
    static final Pattern ANY_EXITED = Pattern.compile("gen=(\\d+) pid=(\\d+) exited code=(-?\\d+)");
    static final Pattern ANY_KILLED = Pattern.compile("gen=(\\d+) pid=(\\d+) killed");
    static final Pattern ANY_SPAWNED = Pattern.compile("gen=(\\d+) pid=(\\d+) spawned");

    /** Group 1 is {@code complete} or {@code failed: REASON}. */
    static Pattern reloadFinished(int generation) {
        return Pattern.compile("reload to gen=" + generation + " (complete|failed: .*)");
    }

    static final Pattern RELOAD_REQUESTED = Pattern.compile("reload requested");
    static final Pattern SHUTDOWN_REQUESTED = Pattern.compile("shutdown requested");
    /** Group 1 is the exit code. */
    static final Pattern EXITING = Pattern.compile("batond exiting code=(-?\\d+)");
    static Pattern connected(int generation) {
        return Pattern.compile("gen=" + generation + " pid=(\\d+) connected");
    }

    /** Group 1 is the reason. */
    static Pattern reloadFailed(int generation) {
        return Pattern.compile("reload to gen=" + generation + " failed: (.*)");
    }

    static Pattern reloadComplete(int generation) {
        return Pattern.compile("reload to gen=" + generation + " complete");
    }

    /** Group 1 pid, group 2 the exit code, group 3 what follows it (a signal name, a failed start...). */
    static Pattern exited(int generation) {
        return Pattern.compile("gen=" + generation + " pid=(\\d+) exited code=(-?\\d+)(.*)");
    }

    /** Group 1 pid, group 2 the reason. */
    static Pattern killed(int generation) {
        return Pattern.compile("gen=" + generation + " pid=(\\d+) killed \\(SIGKILL to \\d+ process(?:es)?\\): (.*)");
    }

    /** The serving child died on its own: group 1 pid, group 2 the exit code. */
    static Pattern died(int generation) {
        return Pattern.compile("serving gen=" + generation + " pid=(\\d+) died with code (-?\\d+)");
    }

    /** A restart after a crash: {@code DELAY} and failure {@code COUNT} in a row. */
    static Pattern restartIn(String delay, int failures) {
        return Pattern.compile("starting a new generation in " + Pattern.quote(delay) + " \\(failure " + failures
                + " in a row\\)");
    }

    /** Any restart line: group 1 the delay, group 2 the failure count. */
    static final Pattern ANY_RESTART = Pattern.compile("starting a new generation in (\\S+) \\(failure (\\d+) in a row\\)");

    /** Group 1 how many still drain, group 2 the --max-draining value. */
    static final Pattern RELOAD_WAITS = Pattern.compile(
            "reload waits: (\\d+) old generation\\(s\\) still draining \\(--max-draining (\\d+)\\)");
    static final Pattern RELOAD_REFUSED_MEMORY = Pattern.compile("reload refused: not enough memory");
    static final Pattern RUNNING_QUEUED_RELOAD = Pattern.compile("running the queued reload");
    /** The start line: group 1 batond's pid (as it sees it), group 2 the handoff socket path. */
    static final Pattern STARTED = Pattern.compile("batond pid=(\\d+) handoff=(\\S+) control=(\\S+)");
    static final Pattern METRICS = Pattern.compile("metrics=http://127\\.0\\.0\\.1:(\\d+)/metrics");
    /** Group 1 the PID the stranger claimed in its HELLO. */
    static final Pattern REFUSED_WRONG_TOKEN = Pattern.compile("handoff connection refused: wrong token \\(process pid=([^)]*)\\)");
    static final Pattern REFUSED_ANY = Pattern.compile("handoff connection refused");
    /** A frame batond could not read: group 1 the reason. */
    static final Pattern BAD_FRAME = Pattern.compile("handoff connection \\d+: bad frame: (.*); closing it");

    static Pattern tokenAlreadyUsed(int generation) {
        return Pattern.compile("handoff connection refused: token of gen=" + generation + " pid=\\d+ already used");
    }

    /** Group 1 the reaped pids, comma separated. */
    static final Pattern REAPED = Pattern.compile("reaped orphaned process\\(es\\) \\[([^\\]]*)\\]");

    /** A line of a Java stack trace. */
    static final Pattern STACK_FRAME = Pattern.compile("^\\s+at \\S+\\(|^\\tat ");
}
