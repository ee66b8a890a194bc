package dev.baton.supervisor;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.baton.child.Addresses;

/**
 * batond's command line: its options, their defaults, and the checks that turn them into a
 * {@link Config}. {@code batond --help} ({@link BatondHelp}) describes them; the README copies it.
 * Parsed by hand rather than with picocli, which batond would otherwise keep loaded for good
 * (about 170 classes) just to read its arguments once.
 */
final class Options {
    static final OptionSpec LISTEN = OptionSpec.repeatable("--listen", "[NAME=]HOST:PORT");
    static final OptionSpec READY_TIMEOUT = OptionSpec.value("--ready-timeout", "DURATION");
    static final OptionSpec DRAIN_TIMEOUT = OptionSpec.value("--drain-timeout", "DURATION");
    static final OptionSpec RESTART_BACKOFF_MIN = OptionSpec.value("--restart-backoff-min", "DURATION");
    static final OptionSpec RESTART_BACKOFF_MAX = OptionSpec.value("--restart-backoff-max", "DURATION");
    static final OptionSpec MAX_DRAINING = OptionSpec.value("--max-draining", "N");
    static final OptionSpec MEMORY_HEADROOM = OptionSpec.value("--memory-headroom", "FACTOR");
    static final OptionSpec NO_MEMORY_CHECK = OptionSpec.flag("--no-memory-check");
    static final OptionSpec HANDOFF_DIR = OptionSpec.value("--handoff-dir", "DIR");
    static final OptionSpec CONTROL = OptionSpec.value("--control", "PATH");
    static final OptionSpec METRICS = OptionSpec.value("--metrics", "HOST:PORT");
    static final OptionSpec HELP = OptionSpec.flag("--help", "-h");
    static final OptionSpec VERSION = OptionSpec.flag("--version", "-V");

    static final List<OptionSpec> ALL = List.of(LISTEN, READY_TIMEOUT, DRAIN_TIMEOUT, RESTART_BACKOFF_MIN,
            RESTART_BACKOFF_MAX, MAX_DRAINING, MEMORY_HEADROOM, NO_MEMORY_CHECK, HANDOFF_DIR, CONTROL, METRICS,
            HELP, VERSION);

    private Options() {}

    /**
     * Parses and validates. For --help and --version, prints the answer to {@code out} and returns
     * null. IllegalArgumentException carries the one-line error.
     */
    static Config parse(String[] args, PrintStream out) {
        CommandLineArgs cl = CommandLineArgs.parse(ALL, args);
        // Numbers first: picocli read them while parsing, so "--max-draining x" is reported before anything else.
        int maxDraining = integer(cl, MAX_DRAINING, "1");
        double memoryHeadroom = number(cl, MEMORY_HEADROOM, "1.0");
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
        Duration ready = duration(cl, READY_TIMEOUT, "60s");
        Duration drain = duration(cl, DRAIN_TIMEOUT, "30s");
        Duration backoffMin = duration(cl, RESTART_BACKOFF_MIN, "1s");
        Duration backoffMax = duration(cl, RESTART_BACKOFF_MAX, "30s");
        if (backoffMax.compareTo(backoffMin) < 0) {
            throw new IllegalArgumentException("--restart-backoff-max must not be below --restart-backoff-min");
        }
        if (maxDraining < 1) {
            throw new IllegalArgumentException("--max-draining must be at least 1");
        }
        if (!(memoryHeadroom > 0)) {
            throw new IllegalArgumentException("--memory-headroom must be more than 0");
        }
        InetSocketAddress metrics = null;
        if (cl.has(METRICS)) {
            try {
                metrics = Addresses.parse(cl.value(METRICS, null));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--metrics " + e.getMessage());
            }
        }
        Path handoffDir = cl.has(HANDOFF_DIR) ? Path.of(cl.value(HANDOFF_DIR, null)) : null;
        Path control = cl.has(CONTROL) ? Path.of(cl.value(CONTROL, null)) : ControlPath.fromEnvironment(System.getenv());
        return new Config(specs, ready, drain, backoffMin, backoffMax, maxDraining, !cl.has(NO_MEMORY_CHECK),
                memoryHeadroom, handoffDir, control, metrics, cl.command());
    }

    private static Duration duration(CommandLineArgs cl, OptionSpec option, String fallback) {
        String text = cl.value(option, fallback);
        try {
            Duration d = DurationParser.parse(text);
            if (d.isZero()) {
                throw new IllegalArgumentException("'" + text + "' must be more than zero");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option.name() + ": " + e.getMessage());
        }
    }

    private static int integer(CommandLineArgs cl, OptionSpec option, String fallback) {
        String text = cl.value(option, fallback);
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw invalid(option, text, "an int");
        }
    }

    private static double number(CommandLineArgs cl, OptionSpec option, String fallback) {
        String text = cl.value(option, fallback);
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw invalid(option, text, "a double");
        }
    }

    private static IllegalArgumentException invalid(OptionSpec option, String text, String what) {
        return new IllegalArgumentException(
                "Invalid value for option '" + option.name() + "': '" + text + "' is not " + what);
    }
}
