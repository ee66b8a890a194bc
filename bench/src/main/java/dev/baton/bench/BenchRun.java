package dev.baton.bench;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One mode's run: start the service, measure the supervisor idle, put the load on, reload
 * {@code reloads} times (each after the previous one finished and a steady pause), take the
 * load off, measure the supervisor again, stop.
 */
final class BenchRun {
    private final BenchConfig config;
    private final Mode mode;
    private final PrintWriter log;

    BenchRun(BenchConfig config, Mode mode, PrintWriter log) {
        this.config = config;
        this.mode = mode;
        this.log = log;
    }

    RunResult run() throws Exception {
        RunClock clock = new RunClock();
        ServiceSetup setup = new ServiceSetup(config.root(), freePort(), clock, log, config.timeout());
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
            try (LoadGenerator load = LoadGenerator.start(clock, setup.port(), config.concurrency(), config.ratePerThread())) {
                Thread.sleep(config.warmup().toMillis());
                for (int i = 0; i < config.reloads(); i++) {
                    if (i > 0) {
                        Thread.sleep(config.pause().toMillis());
                    }
                    reloads.add(service.reload());
                    progress(i + 1);
                }
                Thread.sleep(config.warmup().toMillis());
                requests = load.stop();
            }
            Optional<RunResult.SupervisorFigures> figures = Optional.empty();
            if (supervisor.isPresent()) {
                long pid = supervisor.getAsLong();
                figures = Optional.of(new RunResult.SupervisorFigures(pid, idle.orElseThrow(), ProcStats.Memory.of(pid),
                        idleCpu, config.idle().toMillis()));
            }
            return new RunResult(mode, clock.now(), requests, List.copyOf(reloads), figures);
        }
    }

    private void progress(int done) {
        System.out.print("\r  " + mode.key + ": " + done + "/" + config.reloads() + " reloads");
        if (done == config.reloads()) {
            System.out.println();
        }
        System.out.flush();
    }

    private Service service(ServiceSetup setup) {
        return switch (mode) {
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
