package dev.baton.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench/run [--slow-start] [--quick] [options]}: runs examples/hello under batond, under
 * start_server and alone with plain restarts, one after another with the same load, and writes
 * results.json, latency.png, table.md and the processes' output (processes.log) to the output
 * directory. {@code --slow-start}: the same with hello slow to start and batond three ways, and
 * ready-windows.tsv ({@link ReadyWindows}).
 */
public final class BenchMain {
    static final String USAGE = String.join("\n",
            "Usage: bench/run [--slow-start] [--quick] [--modes RUN,...] [--reloads N] [--pause-ms MS]",
            "                 [--warmup-ms MS] [--idle-ms MS] [--concurrency N] [--rate N] [--out DIR] [--root DIR]",
            "                 [--start-cpu-ms MS] [--start-cpu-threads N] [--reload-budget-s S]",
            "  --slow-start     issue 14's scenario: hello with a CPU-heavy start (3 s on 2 threads), 4 clients each a new",
            "                   connection per request, at most " + BenchConfig.SLOW_START_RATE + " a second each, 3 reloads a run; runs batond-nice19, batond-nice0,",
            "                   batond-warmup, batond-warmup-minready, start_server, restart (about 6 minutes; --quick: 1 reload a",
            "                   run, about 2)",
            "  --quick          3 reloads a mode, short pauses (about a minute in all); default: 20 reloads, 3 s apart (about 8 minutes)",
            "  --modes          which runs, in this order (default: all: batond,start_server,restart; with --slow-start the six above)",
            "  --reloads N      reloads per run (with --slow-start: at most; none starts after 60 s of load)",
            "  --reload-budget-s S  no reload starts after S s of a run's load (--slow-start: 60; 0: none, every --reloads",
            "                   runs: a warm-up run's reload takes about a minute on 2 cores)",
            "  --pause-ms MS    steady load between one reload's end and the next signal",
            "  --warmup-ms MS   steady load before the first reload and after the last",
            "  --idle-ms MS     no load: the window for the supervisor's idle CPU and memory",
            "  --concurrency N  client threads, half new connection per request, half keep-alive (default 4;",
            "                   with --slow-start all new connection)",
            "  --rate N         requests a second per client thread at most (default 200; with --slow-start " + BenchConfig.SLOW_START_RATE + "; 0: as fast as answered)",
            "  --start-cpu-ms MS, --start-cpu-threads N  hello's CPU-heavy start (HELLO_START_CPU_MS, _THREADS; --slow-start: 3000, 2)",
            "  --out DIR        where the results go (default ROOT/bench/out, with --slow-start ROOT/bench/out/slow-start)",
            "  --root DIR       the baton checkout with built jars (default: the current directory)");

    private BenchMain() {}

    public static void main(String[] args) {
        BenchConfig config;
        try {
            config = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage() + " (--help shows the options)");
            System.exit(2);
            return;
        }
        if (config == null) {
            System.out.println(USAGE);
            return;
        }
        try {
            run(config);
        } catch (IllegalStateException | IOException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(1);
        } catch (Exception e) {
            System.err.println("bench: failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    /** The configuration the arguments ask for; null for --help. */
    static BenchConfig parse(String[] args) {
        List<String> list = Arrays.asList(args);
        if (list.contains("--help") || list.contains("-h")) {
            return null;
        }
        Path root = Path.of(value(list, "--root", ".")).toAbsolutePath().normalize();
        boolean slow = list.contains("--slow-start");
        boolean quick = list.contains("--quick");
        Path out = Path.of(value(list, "--out", root.resolve(slow ? "bench/out/slow-start" : "bench/out").toString()))
                .toAbsolutePath().normalize();
        BenchConfig.Builder builder = slow ? (quick ? BenchConfig.slowStartQuick(root, out) : BenchConfig.slowStart(root, out))
                : (quick ? BenchConfig.quick(root, out) : BenchConfig.full(root, out));
        List<Variant> known = builder.variants();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--quick", "--slow-start" -> { }
                case "--root", "--out" -> i++;
                case "--modes" -> {
                    List<Variant> variants = new ArrayList<>();
                    for (String key : next(args, ++i, arg).split(",")) {
                        variants.add(Variant.of(known, key.trim()));
                    }
                    builder.variants(variants);
                }
                case "--start-cpu-ms" -> builder.startCpuMillis(nonNegative(args, ++i, arg));
                case "--start-cpu-threads" -> builder.startCpuThreads(positive(args, ++i, arg));
                case "--reloads" -> builder.reloads(positive(args, ++i, arg));
                case "--reload-budget-s" -> builder.reloadBudget(Duration.ofSeconds(nonNegative(args, ++i, arg)));
                case "--pause-ms" -> builder.pause(Duration.ofMillis(positive(args, ++i, arg)));
                case "--warmup-ms" -> builder.warmup(Duration.ofMillis(positive(args, ++i, arg)));
                case "--idle-ms" -> builder.idle(Duration.ofMillis(positive(args, ++i, arg)));
                case "--concurrency" -> builder.concurrency(positive(args, ++i, arg));
                case "--rate" -> builder.ratePerThread(nonNegative(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        BenchConfig config = builder.build();
        if (config.scenario() == Scenario.CLASSIC && config.concurrency() < 2) {
            throw new IllegalArgumentException("--concurrency must be at least 2 (one new-connection, one keep-alive client)");
        }
        if (config.startCpuMillis() > 0 && config.startCpuThreads() == 0) {
            throw new IllegalArgumentException("--start-cpu-ms needs --start-cpu-threads");
        }
        return config;
    }

    /**
     * Runs every variant of {@code config} and writes the results; returns them. A run whose service
     * does not start is left out, said in one line, and listed in results.json and the table.
     */
    static List<RunResult> run(BenchConfig config) throws Exception {
        checkPrerequisites(config);
        Files.createDirectories(config.out());
        Machine machine = Machine.current();
        System.out.println("bench: " + machine.describe());
        List<RunResult> runs = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        Path processLog = config.out().resolve("processes.log");
        try (PrintWriter log = new PrintWriter(Files.newBufferedWriter(processLog, StandardCharsets.UTF_8))) {
            for (int i = 0; i < config.variants().size(); i++) {
                Variant variant = config.variants().get(i);
                System.out.println("bench: " + variant.label() + ", " + config.reloads() + " reloads under load");
                log.println("### " + variant.key());
                try {
                    RunResult result = new BenchRun(config.forRun(i), variant, log).run();
                    runs.add(result);
                    if (variant.warmsUp() && result.reloads().stream().allMatch(r -> r.warmupMillis() == null)) {
                        System.out.println("bench: " + variant.key() + ": no warm-up reported (this hello.jar or batond "
                                + "lacks issue 14's warm-up step?); the run counts as one without");
                    }
                } catch (DidNotStart e) {
                    System.out.println("bench: " + variant.key() + ": did not start, left out: " + e.getMessage());
                    skipped.put(variant.key(), e.getMessage());
                }
            }
        }
        String table;
        if (config.scenario() == Scenario.SLOW_START) {
            Map<String, SlowStartSummary> byVariant = new LinkedHashMap<>();
            runs.forEach(r -> byVariant.put(r.variant().key(), SlowStartSummary.of(r)));
            Map<String, String> skippedByLabel = new LinkedHashMap<>();
            skipped.forEach((key, reason) -> skippedByLabel.put(Variant.of(config.variants(), key).label(), reason));
            table = SlowStartTable.markdown(runs, skippedByLabel, SlowStartTargets.check(byVariant));
            Files.writeString(config.out().resolve("ready-windows.tsv"), ReadyWindows.tsv(runs));
        } else {
            table = ResultsTable.markdown(runs);
        }
        Files.writeString(config.out().resolve("results.json"), Json.write(Results.json(machine, config, runs, skipped)));
        Files.writeString(config.out().resolve("table.md"), table);
        LatencyChart.write(runs, config.out().resolve("latency.png"));
        System.out.println();
        System.out.print(table);
        System.out.println();
        System.out.println("bench: wrote " + config.out().resolve("results.json") + ", latency.png, table.md, processes.log"
                + (config.scenario() == Scenario.SLOW_START ? ", ready-windows.tsv" : ""));
        return runs;
    }

    private static void checkPrerequisites(BenchConfig config) {
        for (String jar : List.of("supervisor/target/batond.jar", "examples/hello/target/hello.jar", "bin/batond")) {
            if (!Files.exists(config.root().resolve(jar))) {
                throw new IllegalStateException(config.root().resolve(jar) + " not found: run from a built baton "
                        + "checkout (mvn -B package -DskipTests) or pass --root");
            }
        }
        if (config.variants().stream().anyMatch(v -> v.mode() == Mode.START_SERVER) && !onPath(StartServerService.EXECUTABLE)) {
            throw new IllegalStateException("start_server not found on PATH: install it (Debian: apt-get install "
                    + "libserver-starter-perl) or leave it out with --modes batond,restart");
        }
    }

    private static boolean onPath(String executable) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, executable))) {
                return true;
            }
        }
        return false;
    }

    private static String value(List<String> args, String option, String fallback) {
        int at = args.indexOf(option);
        if (at < 0) {
            return fallback;
        }
        if (at + 1 >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(at + 1);
    }

    private static String next(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int nonNegative(String[] args, int i, String option) {
        String text = next(args, i, option);
        try {
            int value = Integer.parseInt(text);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // Falls through to the message below.
        }
        throw new IllegalArgumentException(option + " wants a whole number, 0 or more, not '" + text + "'");
    }

    private static int positive(String[] args, int i, String option) {
        String text = next(args, i, option);
        try {
            int value = Integer.parseInt(text);
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // Falls through to the message below.
        }
        throw new IllegalArgumentException(option + " wants a positive whole number, not '" + text + "'");
    }
}
