package dev.baton.supervisor.lifecycle;

import dev.baton.supervisor.systemd.SdNotifyMessages;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Records what the supervisor asked for; children are pids 1000, 1001, ... */
public final class FakeActions implements Actions {
    record Signal(long pid, Sig sig) {}

    record Scheduled(Duration delay, Event event) {}

    final List<Long> spawned = new ArrayList<>();
    final List<String> tokens = new ArrayList<>();
    final List<Signal> signals = new ArrayList<>();
    final List<Integer> listenersSentTo = new ArrayList<>();
    final List<Integer> closedConnections = new ArrayList<>();
    final List<Scheduled> scheduled = new ArrayList<>();
    Optional<String> memoryShortfall = Optional.empty();
    boolean spawnFails;
    Integer exitCode;
    Instant now = Instant.parse("2026-11-26T00:00:00Z");

    @Override
    public Instant now() {
        return now;
    }

    @Override
    public String newToken() {
        String token = "token" + tokens.size();
        tokens.add(token);
        return token;
    }

    @Override
    public long spawn(int generation, String token, boolean low) throws IOException {
        if (spawnFails) {
            throw new IOException("No such file or directory");
        }
        long pid = 1000 + spawned.size();
        spawned.add(pid);
        spawnedLow.add(low);
        return pid;
    }

    /** For each spawn, whether it asked for the low start priority. */
    final List<Boolean> spawnedLow = new ArrayList<>();
    /** Signals and priority changes, in the order asked: "restore 1001", "lower 1000", "SIGTERM 1000". */
    final List<String> calls = new ArrayList<>();
    StartPriority startPriority = StartPriority.nice(19);

    @Override
    public StartPriority startPriority() {
        return startPriority;
    }

    @Override
    public void restorePriority(int generation, long pid) {
        calls.add("restore " + pid);
    }

    @Override
    public void lowerDrainPriority(int generation, long pid) {
        calls.add("lower " + pid);
    }

    @Override
    public String drainPriority() {
        return "nice 19";
    }

    @Override
    public boolean signal(long pid, Sig signal) {
        signals.add(new Signal(pid, signal));
        calls.add("SIG" + signal + " " + pid);
        return true;
    }

    @Override
    public int kill(long pid) {
        signal(pid, Sig.KILL);
        return processesPerGroup;
    }

    /** How many processes each child's group has, as kill() reports it. */
    int processesPerGroup = 1;

    @Override
    public String sendListeners(int connection, int generation) {
        listenersSentTo.add(connection);
        return "http";
    }

    @Override
    public void closeConnection(int connection) {
        closedConnections.add(connection);
    }

    @Override
    public void schedule(Duration delay, Event event) {
        scheduled.add(new Scheduled(delay, event));
    }

    @Override
    public Optional<String> memoryShortfall(long runningPid) {
        return memoryShortfall;
    }

    final List<String> notified = new ArrayList<>();
    final List<java.util.Set<Long>> reapedExcept = new ArrayList<>();

    @Override
    public int reapOrphans(java.util.Set<Long> generations) {
        reapedExcept.add(generations);
        return 0;
    }

    /** The service manager hears what systemd would, worded as sd_notify words it. */
    @Override
    public ServiceManager serviceManager() {
        return new SdNotifyMessages(notified::add, () -> monotonic);
    }

    long logLinesDropped;

    @Override
    public long logLinesDropped() {
        return logLinesDropped;
    }

    /** What the next upgrade check answers; replaceImage records the state it was given and throws replaceFailure, if set. */
    Event.UpgradeChecked nextCheck = new Event.UpgradeChecked(true, "2.0", "17 (Test VM)", "");
    int checks;
    boolean handoffHeld;
    LifecycleState replacedWith;
    java.io.IOException replaceFailure;

    @Override
    public BatondImage image() {
        return new BatondImage("1.0", "17", "Test VM", java.time.Instant.EPOCH);
    }

    @Override
    public void checkNewImage() {
        checks++;
    }

    @Override
    public void holdHandoff(boolean held) {
        handoffHeld = held;
    }

    @Override
    public void replaceImage(LifecycleState state) throws java.io.IOException {
        replacedWith = state;
        if (replaceFailure != null) {
            throw replaceFailure;
        }
    }

    final List<String> watchedAdopted = new ArrayList<>();
    final List<Integer> listenersRequestedOf = new ArrayList<>();
    final List<String> listenersTaken = new ArrayList<>();
    /** What bindMissingListeners answers: empty (all bound) or why not. */
    Optional<String> bindFailure = Optional.empty();
    int binds;

    @Override
    public void watchAdopted(int generation, long pid) {
        watchedAdopted.add("gen=" + generation + " pid=" + pid);
    }

    @Override
    public void requestListeners(int connection) {
        listenersRequestedOf.add(connection);
    }

    @Override
    public String takeListeners(List<String> names, List<String> addresses, int[] fds, boolean wanted) {
        String taken = wanted ? String.join(",", names) : "";
        listenersTaken.add(taken);
        return taken;
    }

    @Override
    public Optional<String> bindMissingListeners(java.util.Set<Long> suspects) {
        binds++;
        return bindFailure;
    }

    @Override
    public void exit(int code) {
        exitCode = code;
    }

    long lastPid() {
        return spawned.get(spawned.size() - 1);
    }

    String lastToken() {
        return tokens.get(tokens.size() - 1);
    }

    ListenCounters counters = new ListenCounters(0, 0);
    long monotonic = 1_000_000;

    @Override
    public ListenCounters listenCounters() {
        return counters;
    }

    @Override
    public List<Listener> listeners() {
        return List.of(new Listener("http", new java.net.InetSocketAddress("127.0.0.1", 8080), 7));
    }

    @Override
    public java.util.Map<String, Long> acceptQueues() {
        return java.util.Map.of("http", 0L);
    }
}
