package dev.baton.bench;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One run: start the service, measure the supervisor idle, put the load on, let it settle,
 * reload {@code reloads} times (each after the previous one finished and a steady pause; none
 * once the reload budget is spent), take the load off, measure the supervisor again, ask it for
 * the warm-ups its new generations reported, stop.
 */
final class BenchRun {
    private final BenchConfig config;
    private final Variant variant;
    private final PrintWriter log;

    BenchRun(BenchConfig config, Variant variant, PrintWriter log) {
        this.config = config;
        this.variant = variant;
        this.log = log;
    }

    /** The run's result; {@link DidNotStart} when its service never served. */
    RunResult run() throws Exception {
        RunClock clock = new RunClock();
        Map<String, String> env = new LinkedHashMap<>(config.serviceEnv());
        env.putAll(variant.serviceEnv());
        ServiceSetup setup = new ServiceSetup(config.root(), freePort(), clock, log, config.timeout(), Map.copyOf(env),
                variant.batondOptions());
        try (Service service = service(setup)) {
            service.start();
            OptionalLong supervisor = service.supervisorPid();
            // The idle window is a schedule, not a synchronisation: the service is up already.
            long cpuBefore = supervisor.isPresent() ? ProcStats.cpuMillis(supervisor.getAsLong()) : 0;
            Thread.sleep(config.idle().toMillis());
            long idleCpu = supervisor.isPresent() ? ProcStats.cpuMillis(supervisor.getAsLong()) - cpuBefore : 0;
            Optional<ProcStats.Memory> idle = supervisor.isPresent()
                    ? Optional.of(ProcStats.Memory.of(supervisor.getAsLong())) : Optional.empty();

            List<Reload> reloads = new ArrayList<>();
            RequestLog requests;
            long measureFrom;
            long loadEnd;
            String reloadFailure = null;
            long measuredUntil = Long.MAX_VALUE;
            try (LoadGenerator load = LoadGenerator.start(clock, setup.port(), config.concurrency(),
                    config.keepAliveThreads(), config.ratePerThread())) {
                // Schedules, not synchronisation: the service serves already, the load runs.
                Thread.sleep(config.clientWarmup().toMillis()); // before the reload budget's clock starts
                long loadStart = clock.now();
                Thread.sleep(config.settle().toMillis());
                measureFrom = clock.now();
                Thread.sleep(config.warmup().toMillis());
                for (int i = 0; i < config.reloads(); i++) {
                    if (i > 0) {
                        Thread.sleep(config.pause().toMillis());
                    }
                    if (!config.reloadBudget().isZero() && clock.now() - loadStart > config.reloadBudget().toNanos()) {
                        System.out.print("\n  " + variant.key() + ": reload budget of " + config.reloadBudget().toSeconds()
                                + " s spent after " + i + " reloads");
                        break;
                    }
                    long before = clock.now();
                    try {
                        reloads.add(service.reload());
                    } catch (IllegalStateException e) {
                        // A reload that failed or hung (a start slower than batond's --ready-timeout, say)
                        // ends this run's reloads; the figures stop where it began (it has no window to
                        // count in), and the other runs go on.
                        measuredUntil = before;
                        reloadFailure = "reload " + (i + 1) + " failed: " + firstLine(e.getMessage());
                        System.out.print("\n  " + variant.key() + ": " + reloadFailure + "; no more reloads in this run");
                        break;
                    }
                    progress(i + 1);
                }
                System.out.println();
                Thread.sleep(config.warmup().toMillis());
                loadEnd = Math.min(clock.now(), measuredUntil);
                requests = load.stop();
            }
            Optional<RunResult.SupervisorFigures> figures = Optional.empty();
            if (supervisor.isPresent()) {
                long pid = supervisor.getAsLong();
                figures = Optional.of(new RunResult.SupervisorFigures(pid, idle.orElseThrow(), ProcStats.Memory.of(pid),
                        idleCpu, config.idle().toMillis()));
            }
            List<Reload> reported = service.withWarmups(reloads); // after the supervisor's figures: its answer costs memory
            return new RunResult(variant, clock.now(), requests, List.copyOf(reported), figures, measureFrom, loadEnd,
                    reloadFailure);
        }
    }

    private static String firstLine(String message) {
        String text = String.valueOf(message);
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private void progress(int done) {
        System.out.print("\r  " + variant.key() + ": " + done + "/" + config.reloads() + " reloads");
        System.out.flush();
    }

    private Service service(ServiceSetup setup) {
        return switch (variant.mode()) {
            case BATOND -> new BatondService(setup);
            case START_SERVER -> new StartServerService(setup);
            case RESTART -> new RestartService(setup);
        };
    }

    /** A port nothing listens on now; each mode gets its own, so no TIME_WAIT of a previous run is in the way. */
    private static int freePort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

}
