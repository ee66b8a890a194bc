package dev.baton.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * hello under Perl's start_server (Debian libserver-starter-perl), reloaded with SIGHUP. On HUP,
 * start_server starts a new worker, waits {@code --interval} seconds (default 1), and if the new
 * worker is still alive sends the old one SIGTERM: it does not know whether the new one is ready.
 */
final class StartServerService implements Service {
    static final String EXECUTABLE = "start_server";
    /** child-api's line once the service serves, the same in every mode. */
    static final Pattern SERVICE_READY = Pattern.compile("baton: ready generation=");
    static final Pattern OLD_WORKER_DIED = Pattern.compile("old worker (\\d+) died");

    private final ServiceSetup setup;
    private Launched starter;

    StartServerService(ServiceSetup setup) {
        this.setup = setup;
    }

    @Override
    public void start() throws Exception {
        List<String> command = new ArrayList<>(List.of(EXECUTABLE, "--port=" + setup.address(), "--"));
        command.addAll(setup.serviceCommand());
        starter = Launched.start(setup.clock(), command, setup.env(Map.of()), setup.dir(), "start_server", setup.log());
        try {
            starter.output().await(SERVICE_READY, 0, setup.timeout(), "the service ready");
        } catch (IllegalStateException e) {
            throw DidNotStart.of("start_server", starter, e);
        }
    }

    @Override
    public OptionalLong supervisorPid() {
        return OptionalLong.of(starter.pid());
    }

    @Override
    public Reload reload() throws Exception {
        OutputLines out = starter.output();
        int from = out.mark();
        Signals.send(starter.pid(), "HUP");
        long signal = setup.clock().now();
        // Every worker writes to start_server's output; only the new one says ready after the HUP.
        OutputLines.Found ready = out.await(SERVICE_READY, from, setup.timeout(), "the new worker ready");
        OutputLines.Found died = out.await(OLD_WORKER_DIED, from, setup.timeout(), "the old worker died");
        return Reload.timeline(signal, ready.line().nanos(), died.line().nanos());
    }

    @Override
    public void close() throws InterruptedException {
        if (starter != null) {
            starter.close();
        }
    }
}
