package dev.baton.bench;

import java.util.Map;
import java.util.OptionalLong;

/**
 * hello alone, binding the port itself; a reload is what a deploy script without a supervisor
 * does: SIGTERM, wait for the exit, start the new version.
 */
final class RestartService implements Service {
    private final ServiceSetup setup;
    private Launched serving;
    private int started;

    RestartService(ServiceSetup setup) {
        this.setup = setup;
    }

    @Override
    public void start() throws Exception {
        serving = launch();
        try {
            serving.output().await(StartServerService.SERVICE_READY, 0, setup.timeout(), "the service ready");
        } catch (IllegalStateException e) {
            throw DidNotStart.of("hello", serving, e);
        }
    }

    private Launched launch() throws Exception {
        started++;
        return Launched.start(setup.clock(), setup.serviceCommand(), setup.env(Map.of("BATON_LISTEN", setup.address())),
                setup.dir(), "hello-" + started, setup.log());
    }

    @Override
    public OptionalLong supervisorPid() {
        return OptionalLong.empty();
    }

    @Override
    public Reload reload() throws Exception {
        serving.terminate();
        long signal = setup.clock().now();
        int code = serving.awaitExit(setup.timeout());
        long exited = setup.clock().now();
        if (code == -1) {
            throw new IllegalStateException("hello pid " + serving.pid() + " still running " + setup.timeout() + " after SIGTERM");
        }
        serving = launch();
        OutputLines.Found ready = serving.output().await(StartServerService.SERVICE_READY, 0, setup.timeout(),
                "the restarted service ready");
        return Reload.timeline(signal, ready.line().nanos(), exited);
    }

    @Override
    public void close() throws InterruptedException {
        if (serving != null) {
            serving.close();
        }
    }
}
