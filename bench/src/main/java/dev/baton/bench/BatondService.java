package dev.baton.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** hello under bin/batond (with the JVM flags bin/batond gives it), reloaded with SIGUSR2. */
final class BatondService implements Service {
    private final ServiceSetup setup;
    private Launched batond;
    private int generation;

    BatondService(ServiceSetup setup) {
        this.setup = setup;
    }

    @Override
    public void start() throws Exception {
        List<String> command = new ArrayList<>(List.of(setup.root().resolve("bin/batond").toString(),
                "--listen", setup.address(), "--"));
        command.addAll(setup.serviceCommand());
        batond = Launched.start(setup.clock(), command, Map.of(), setup.dir(), "batond", setup.log());
        generation = 1;
        awaitReady(0);
    }

    @Override
    public OptionalLong supervisorPid() {
        return OptionalLong.of(batond.pid()); // bin/batond execs java: the same pid
    }

    @Override
    public Reload reload() throws Exception {
        OutputLines out = batond.output();
        int from = out.mark();
        long signal;
        Signals.send(batond.pid(), "USR2");
        signal = setup.clock().now();
        int old = generation++;
        Duration timeout = setup.timeout();
        OutputLines.Found requested = out.await(BatondLog.RELOAD_REQUESTED, from, timeout, "reload requested");
        OutputLines.Found spawned = out.await(BatondLog.spawned(generation), from, timeout, "gen=" + generation + " spawned");
        OutputLines.Found ready = awaitReady(from);
        OutputLines.Found draining = out.await(BatondLog.draining(old), from, timeout, "gen=" + old + " draining");
        OutputLines.Found exited = out.await(BatondLog.exitedOrKilled(old), from, timeout, "gen=" + old + " exited");
        return new Reload(signal, ready.line().nanos(), exited.line().nanos(),
                between(requested, spawned), between(ready, draining));
    }

    private OutputLines.Found awaitReady(int from) throws InterruptedException {
        OutputLines.Found ready = batond.output().await(BatondLog.readyOrFailed(generation), from, setup.timeout(),
                "gen=" + generation + " ready");
        if (ready.group(2) != null) {
            throw new IllegalStateException("batond: gen=" + generation + " failed: " + ready.group(2));
        }
        return ready;
    }

    /** Nanoseconds between two batond lines by batond's own timestamps (millisecond resolution). */
    private static long between(OutputLines.Found first, OutputLines.Found second) {
        return Duration.between(BatondLog.timestamp(first.line().text()), BatondLog.timestamp(second.line().text()))
                .toNanos();
    }

    @Override
    public void close() throws InterruptedException {
        if (batond != null) {
            batond.close();
        }
    }
}
