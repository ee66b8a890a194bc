package dev.baton.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * hello under bin/batond (with the JVM flags bin/batond gives it), reloaded with SIGUSR2, with a
 * control socket of its own (so no other batond on the machine is in the way) that the
 * benchmark asks for each new generation's warm-up, once the load is off.
 */
final class BatondService implements Service {
    private final ServiceSetup setup;
    private Path controlDir;
    private Launched batond;
    private int generation;
    /** Per new generation: its output lines from spawned to READY, where the warm-up may be logged. */
    private final Map<Integer, int[]> startLines = new HashMap<>();

    BatondService(ServiceSetup setup) {
        this.setup = setup;
    }

    @Override
    public void start() throws Exception {
        controlDir = Files.createTempDirectory("bench-batond-");
        List<String> command = new ArrayList<>(List.of(setup.root().resolve("bin/batond").toString(),
                "--control", control().toString()));
        command.addAll(setup.batondOptions());
        command.addAll(List.of("--listen", setup.address(), "--"));
        command.addAll(setup.serviceCommand());
        batond = Launched.start(setup.clock(), command, setup.env(Map.of()), setup.dir(), "batond", setup.log());
        generation = 1;
        try {
            awaitReady(0);
        } catch (IllegalStateException e) {
            throw DidNotStart.of("batond", batond, e);
        }
    }

    private Path control() {
        return controlDir.resolve("control");
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
        startLines.put(generation, new int[] {spawned.index(), ready.index()});
        return new Reload(signal, ready.line().nanos(), exited.line().nanos(), between(requested, spawned),
                between(ready, draining), generation, between(spawned, ready), null);
    }

    /**
     * One status read for all of them (batond keeps its recent reloads); one it no longer has, from
     * batond's log between the new generation's spawn and its READY. Not during the load: a status
     * read at each reload (a connection, JSON on both sides) slowed the 100 ms it fell in, 4.5-6.7%
     * of requests over 1.5 ms against about 1% in the rest of the steady state, which the reload
     * figures are held against.
     */
    @Override
    public List<Reload> withWarmups(List<Reload> reloads) {
        Object status = null;
        try {
            status = ControlClient.status(control());
        } catch (IOException | IllegalArgumentException e) {
            System.out.println("\nbench: batond status over " + control() + " failed (" + e.getMessage()
                    + "): warm-up from batond's log only");
        }
        List<Reload> with = new ArrayList<>(reloads.size());
        for (Reload reload : reloads) {
            Long warmup = status == null ? null : WarmupReport.fromStatus(status, reload.generation());
            if (warmup == null) {
                int[] lines = startLines.get(reload.generation());
                warmup = WarmupReport.fromLog(batond.output().between(lines[0], lines[1]).stream()
                        .map(OutputLines.Line::text).toList());
            }
            with.add(reload.withWarmupMillis(warmup));
        }
        return with;
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
        if (controlDir != null) {
            try {
                Files.deleteIfExists(control());
                Files.deleteIfExists(controlDir);
            } catch (IOException e) {
                // A temp directory left behind; nothing depends on it.
            }
        }
    }
}
