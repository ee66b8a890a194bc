package dev.baton.supervisor.cli;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.baton.protocol.Addresses;
import dev.baton.protocol.ControlPath;

/**
 * batond's command line: its options, their defaults, and the checks that turn them into a
 * {@link Config}. {@code batond --help} ({@link BatondHelp}) describes them; the README copies it.
 * Parsed by hand rather than with picocli, which batond would otherwise keep loaded for good
 * (about 170 classes) just to read its arguments once.
 */
public final class Options {
    static final OptionSpec LISTEN = OptionSpec.repeatable("--listen", "[NAME=]HOST:PORT");
    static final OptionSpec READY_TIMEOUT = OptionSpec.value("--ready-timeout", "DURATION");
    static final OptionSpec DRAIN_TIMEOUT = OptionSpec.value("--drain-timeout", "DURATION");
    static final OptionSpec RESTART_BACKOFF_MIN = OptionSpec.value("--restart-backoff-min", "DURATION");
    static final OptionSpec RESTART_BACKOFF_MAX = OptionSpec.value("--restart-backoff-max", "DURATION");
    static final OptionSpec MIN_READY = OptionSpec.value("--min-ready", "DURATION");
    static final OptionSpec MAX_DRAINING = OptionSpec.value("--max-draining", "N");
    static final OptionSpec MEMORY_HEADROOM = OptionSpec.value("--memory-headroom", "FACTOR");
    static final OptionSpec NO_MEMORY_CHECK = OptionSpec.flag("--no-memory-check");
    static final OptionSpec HANDOFF_DIR = OptionSpec.value("--handoff-dir", "DIR");
    static final OptionSpec CONTROL = OptionSpec.value("--control", "PATH");
    static final OptionSpec METRICS = OptionSpec.value("--metrics", "HOST:PORT");
    static final OptionSpec START_NICE = OptionSpec.value("--start-nice", "N");
    static final OptionSpec DRAIN_NICE = OptionSpec.value("--drain-nice", "N");
    static final OptionSpec HELP = OptionSpec.flag("--help", "-h");
    static final OptionSpec VERSION = OptionSpec.flag("--version", "-V");

    static final List<OptionSpec> ALL = List.of(LISTEN, READY_TIMEOUT, DRAIN_TIMEOUT, RESTART_BACKOFF_MIN,
            RESTART_BACKOFF_MAX, MIN_READY, MAX_DRAINING, MEMORY_HEADROOM, NO_MEMORY_CHECK, HANDOFF_DIR, CONTROL, METRICS,
            START_NICE, DRAIN_NICE, HELP, VERSION);

    private Options() {}

    /**
     * Parses and validates. For --help and --version, prints the answer to {@code out} and returns
     * null. IllegalArgumentException carries the one-line error.
     */
    /** Longest --ready-timeout and --drain-timeout: generous, and far from any overflow in time arithmetic. */
    static final Duration MAX_TIMEOUT = Duration.ofHours(24);
    /** Longest --restart-backoff-min and --restart-backoff-max. */
    static final Duration MAX_BACKOFF = Duration.ofHours(1);
    /** Longest --min-ready: two generations side by side for longer than this is not a reload any more. */
    static final Duration MAX_MIN_READY = Duration.ofHours(1);
    /** Most generations --max-draining lets drain at once: each is a whole JVM. */
    static final int MAX_DRAINING_LIMIT = 64;
    /**
     * Largest --memory-headroom: no machine has this many times a child's memory available, so a
     * larger factor could only ever refuse every reload (MemoryHeadroomTest uses it for that).
     */
    static final double MAX_HEADROOM = 100_000;
    /** Linux's highest nice value: the lowest priority. */
    static final int MAX_NICE = 19;

    /**
     * Parses and validates. For --help and --version, prints the answer to {@code out} and returns
     * null. IllegalArgumentException carries the one-line error: for a bad value it names the
     * option, the value and the range allowed.
     */
    public static Config parse(String[] args, PrintStream out) {
        return parse(args, out, System.getenv());
    }

    /** As above, with {@code env} where batond's environment decides a default (the control socket's path). */
    public static Config parse(String[] args, PrintStream out, java.util.Map<String, String> env) {
        CommandLineArgs cl = CommandLineArgs.parse(ALL, args);
        // Numbers first: picocli read them while parsing, so "--max-draining x" is reported before anything else.
        long maxDraining = integer(cl, MAX_DRAINING, "1", MAX_DRAINING_RANGE);
        double memoryHeadroom = number(cl, MEMORY_HEADROOM, "1.0", HEADROOM_RANGE);
        long startNice = integer(cl, START_NICE, "19", NICE_RANGE);
        long drainNice = integer(cl, DRAIN_NICE, "19", NICE_RANGE);
        if (cl.has(VERSION)) {
            out.println(BatondHelp.version());
            return null;
        }
        if (cl.has(HELP)) {
            out.print(BatondHelp.TEXT);
            out.flush();
            return null;
        }
        cl.rejectUnknown();
        if (cl.command().isEmpty()) {
            throw new IllegalArgumentException(
                    "no child command: put it after --, e.g. batond --listen 127.0.0.1:8080 -- java -jar app.jar");
        }
        List<ListenSpec> specs = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (String text : cl.values(LISTEN)) {
            ListenSpec spec = ListenSpec.parse(text);
            if (!names.add(spec.name())) {
                throw new IllegalArgumentException("--listen: two listeners named '" + spec.name() + "'");
            }
            specs.add(spec);
        }
        Duration ready = duration(cl, READY_TIMEOUT, "60s", MAX_TIMEOUT);
        Duration drain = duration(cl, DRAIN_TIMEOUT, "30s", MAX_TIMEOUT);
        Duration backoffMin = duration(cl, RESTART_BACKOFF_MIN, "1s", MAX_BACKOFF);
        Duration backoffMax = duration(cl, RESTART_BACKOFF_MAX, "30s", MAX_BACKOFF);
        Duration minReady;
        try {
            minReady = DurationParser.parseOrZero(cl.value(MIN_READY, "0"), MAX_MIN_READY);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(MIN_READY.name() + ": " + e.getMessage());
        }
        if (backoffMax.compareTo(backoffMin) < 0) {
            throw new IllegalArgumentException("--restart-backoff-max must not be below --restart-backoff-min");
        }
        if (maxDraining < 1 || maxDraining > MAX_DRAINING_LIMIT) {
            throw outOfRange(MAX_DRAINING, cl.value(MAX_DRAINING, "1"), MAX_DRAINING_RANGE);
        }
        // NaN fails both comparisons' negation: !(NaN > 0).
        if (!(memoryHeadroom > 0) || !(memoryHeadroom <= MAX_HEADROOM)) {
            throw outOfRange(MEMORY_HEADROOM, cl.value(MEMORY_HEADROOM, "1.0"), HEADROOM_RANGE);
        }
        if (startNice < 0 || startNice > MAX_NICE) {
            throw outOfRange(START_NICE, cl.value(START_NICE, "19"), NICE_RANGE);
        }
        if (drainNice < 0 || drainNice > MAX_NICE) {
            throw outOfRange(DRAIN_NICE, cl.value(DRAIN_NICE, "19"), NICE_RANGE);
        }
        InetSocketAddress metrics = null;
        if (cl.has(METRICS)) {
            try {
                metrics = Addresses.parse(cl.value(METRICS, null));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--metrics " + e.getMessage());
            }
        }
        Path handoffDir = cl.has(HANDOFF_DIR) ? path(HANDOFF_DIR, cl.value(HANDOFF_DIR, null)) : null;
        Path control = cl.has(CONTROL) ? path(CONTROL, cl.value(CONTROL, null)) : ControlPath.fromEnvironment(env);
        return new Config(specs, ready, drain, backoffMin, backoffMax, (int) maxDraining, !cl.has(NO_MEMORY_CHECK),
                memoryHeadroom, handoffDir, control, metrics, (int) startNice, (int) drainNice, cl.command(), minReady);
    }

    private static final String MAX_DRAINING_RANGE = "from 1 to " + MAX_DRAINING_LIMIT;
    private static final String HEADROOM_RANGE = "more than 0, at most " + (int) MAX_HEADROOM;
    private static final String NICE_RANGE = "from 0 (off) to " + MAX_NICE;

    private static Duration duration(CommandLineArgs cl, OptionSpec option, String fallback, Duration max) {
        String text = cl.value(option, fallback);
        try {
            return DurationParser.parse(text, max);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option.name() + ": " + e.getMessage());
        }
    }

    /**
     * A whole number, optionally negative; one too long for a long reads as Long.MAX_VALUE (or
     * MIN_VALUE), out of any range, so that "99999999999" is reported as out of range, not as a
     * non-number.
     */
    private static long integer(CommandLineArgs cl, OptionSpec option, String fallback, String range) {
        String text = cl.value(option, fallback);
        String t = text.trim();
        boolean negative = t.startsWith("-");
        int start = negative ? 1 : 0;
        if (start == t.length()) {
            throw notA(option, text, "whole number", range);
        }
        for (int i = start; i < t.length(); i++) {
            if (t.charAt(i) < '0' || t.charAt(i) > '9') {
                throw notA(option, text, "whole number", range);
            }
        }
        while (start < t.length() - 1 && t.charAt(start) == '0') {
            start++;
        }
        String digits = t.substring(start);
        long n = digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
        return negative ? -n : n;
    }

    /**
     * A plain decimal number ({@code 1}, {@code 1.5}, {@code .5}): none of the other spellings
     * Double.parseDouble takes ({@code NaN}, {@code Infinity}, {@code 1e400}, {@code 0x1p3},
     * {@code 2d}). One too large for a double is infinite, and out of range.
     */
    private static double number(CommandLineArgs cl, OptionSpec option, String fallback, String range) {
        String text = cl.value(option, fallback);
        String t = text.trim();
        int start = t.startsWith("-") ? 1 : 0;
        int digits = 0;
        int dots = 0;
        for (int i = start; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (c == '.' && dots == 0) {
                dots++;
            } else {
                throw notA(option, text, "number like 1.5", range);
            }
        }
        if (digits == 0) {
            throw notA(option, text, "number like 1.5", range);
        }
        return Double.parseDouble(t);
    }

    /** The value, quoted, with anything that could break the line escaped. */
    private static String quoted(String text) {
        return "'" + SocketPaths.printable(text) + "'";
    }

    private static IllegalArgumentException notA(OptionSpec option, String text, String what, String range) {
        return new IllegalArgumentException(
                option.name() + ": " + quoted(text) + " is not a " + what + " (" + range + ")");
    }

    private static IllegalArgumentException outOfRange(OptionSpec option, String text, String range) {
        return new IllegalArgumentException(option.name() + ": " + quoted(text) + " is out of range: " + range);
    }

    /** "--control=" gives the empty path, which would mean the working directory: refused here. */
    private static Path path(OptionSpec option, String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException(option.name() + ": empty path");
        }
        try {
            return Path.of(text);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException(option.name() + " " + SocketPaths.shown(text) + ": " + e.getReason());
        }
    }
}
