package dev.baton.supervisor;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.baton.child.Addresses;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** batond's command line. {@code batond --help} is the reference; the README copies it. */
@Command(name = "batond",
        usageHelpWidth = 100,
        sortOptions = false,
        mixinStandardHelpOptions = true,
        versionProvider = Options.Version.class,
        description = {
            "Holds listening sockets and hands them to generation after generation of a child process.",
            "SIGUSR2 or SIGHUP: start a new generation, drain the old one once the new one is READY.",
            "SIGTERM or SIGINT: drain every generation, then exit 0."},
        footer = {"", "Example:", "  batond --listen 127.0.0.1:8080 -- java -jar app.jar"})
final class Options {

    @Option(names = "--listen", paramLabel = "[NAME=]HOST:PORT",
            description = {"Listen here; repeatable. IPv6 as [::1]:8080, all interfaces as :8080.",
                "Under systemd socket activation (LISTEN_FDS) the sockets passed are adopted, named by "
                    + "FileDescriptorName=; a --listen of the same NAME is then optional."})
    List<String> listens = new ArrayList<>();

    @Option(names = "--ready-timeout", paramLabel = "DURATION", defaultValue = "60s",
            description = "A new generation must say READY within this (default: ${DEFAULT-VALUE}).")
    String readyTimeout;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "An old generation gets this long to drain, then SIGKILL (default: ${DEFAULT-VALUE}).")
    String drainTimeout;

    @Option(names = "--restart-backoff-min", paramLabel = "DURATION", defaultValue = "1s",
            description = "After the serving child dies, the first restart is immediate; a further one waits "
                    + "this long, doubling up to --restart-backoff-max (default: ${DEFAULT-VALUE}).")
    String restartBackoffMin;

    @Option(names = "--restart-backoff-max", paramLabel = "DURATION", defaultValue = "30s",
            description = "Longest wait between restarts of a child that keeps dying (default: ${DEFAULT-VALUE}).")
    String restartBackoffMax;

    @Option(names = "--max-draining", paramLabel = "N", defaultValue = "1",
            description = "At most this many old generations drain at once; a reload beyond waits "
                    + "(default: ${DEFAULT-VALUE}).")
    int maxDraining;

    @Option(names = "--memory-headroom", paramLabel = "FACTOR", defaultValue = "1.0",
            description = "A reload starts only if available memory is at least FACTOR times what the serving "
                    + "child uses now (default: ${DEFAULT-VALUE}).")
    double memoryHeadroom;

    @Option(names = "--no-memory-check", negatable = false,
            description = "Start a new generation even when available memory looks too small for two children.")
    boolean noMemoryCheck;

    @Option(names = "--handoff-dir", paramLabel = "DIR",
            description = "Parent directory of the private handoff socket directory "
                    + "(default: $RUNTIME_DIRECTORY, $XDG_RUNTIME_DIR or the temp dir).")
    Path handoffDir;

    @Option(names = "--control", paramLabel = "PATH",
            description = "Control socket for batonctl, mode 0600 (default: $RUNTIME_DIRECTORY/control, "
                    + "else $XDG_RUNTIME_DIR/baton/control, else /run/baton/control as root, /tmp/baton-UID/control otherwise).")
    Path control;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics (default: off).")
    String metrics;

    @Parameters(paramLabel = "COMMAND", arity = "0..*",
            description = "The child command, after --, e.g. -- java -jar app.jar")
    List<String> command = new ArrayList<>();

    /** Parses and validates; IllegalArgumentException carries the one-line error. */
    static Config parse(CommandLine cl, String[] args) {
        CommandLine.ParseResult result = cl.parseArgs(args);
        Options o = cl.getCommand();
        if (result.isUsageHelpRequested() || result.isVersionHelpRequested()) {
            return null;
        }
        if (o.command.isEmpty()) {
            throw new IllegalArgumentException(
                    "no child command: put it after --, e.g. batond --listen 127.0.0.1:8080 -- java -jar app.jar");
        }
        List<ListenSpec> specs = new ArrayList<>();
        for (String text : o.listens) {
            ListenSpec spec = ListenSpec.parse(text);
            if (specs.stream().anyMatch(s -> s.name().equals(spec.name()))) {
                throw new IllegalArgumentException("--listen: two listeners named '" + spec.name() + "'");
            }
            specs.add(spec);
        }
        Duration ready = duration("--ready-timeout", o.readyTimeout);
        Duration drain = duration("--drain-timeout", o.drainTimeout);
        Duration backoffMin = duration("--restart-backoff-min", o.restartBackoffMin);
        Duration backoffMax = duration("--restart-backoff-max", o.restartBackoffMax);
        if (backoffMax.compareTo(backoffMin) < 0) {
            throw new IllegalArgumentException("--restart-backoff-max must not be below --restart-backoff-min");
        }
        if (o.maxDraining < 1) {
            throw new IllegalArgumentException("--max-draining must be at least 1");
        }
        if (!(o.memoryHeadroom > 0)) {
            throw new IllegalArgumentException("--memory-headroom must be more than 0");
        }
        InetSocketAddress metrics = null;
        if (o.metrics != null) {
            try {
                metrics = Addresses.parse(o.metrics);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--metrics " + e.getMessage());
            }
        }
        Path control = o.control != null ? o.control : ControlPath.fromEnvironment(System.getenv());
        return new Config(specs, ready, drain, backoffMin, backoffMax, o.maxDraining, !o.noMemoryCheck, o.memoryHeadroom,
                o.handoffDir, control, metrics, o.command);
    }

    private static Duration duration(String flag, String text) {
        try {
            Duration d = DurationParser.parse(text);
            if (d.isZero()) {
                throw new IllegalArgumentException("'" + text + "' must be more than zero");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Options.class.getPackage().getImplementationVersion();
            return new String[] {"batond " + (v != null ? v : "(development build)")};
        }
    }
}
