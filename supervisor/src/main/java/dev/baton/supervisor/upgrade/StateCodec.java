package dev.baton.supervisor.upgrade;

import dev.baton.supervisor.lifecycle.LifecycleState;
import dev.baton.supervisor.lifecycle.LifecycleState.BackoffRecord;
import dev.baton.supervisor.lifecycle.LifecycleState.GenerationRecord;
import dev.baton.supervisor.lifecycle.LifecycleState.ReloadRecord;
import dev.baton.supervisor.lifecycle.ListenCounters;
import dev.baton.supervisor.lifecycle.Listener;
import dev.baton.supervisor.lifecycle.Phase;
import dev.baton.supervisor.lifecycle.Reload;
import dev.baton.supervisor.lifecycle.UpgradeSnapshot;
import dev.baton.supervisor.log.UtcTime;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.CRC32;

/**
 * batond's state as text, version {@value #VERSION}: the line {@code BATON-STATE 2}, then one
 * {@code key=value} line per fact ({@code \} and newlines in a value escaped as {@code \\} and
 * {@code \n}; a fact that is not known is left out), then {@code checksum=} the CRC-32 of every
 * byte before that line. A state of another version, cut short or edited is refused with one line
 * ({@link IllegalArgumentException}): its tokens, pids and descriptors are never trusted.
 *
 * <p>Version 2 adds each generation's warm-up ({@code gen.N.warmup.ms}); a version 1 state, from
 * the batond before, is still read, its generations' warm-up not known (-1).
 */
public final class StateCodec {
    public static final int VERSION = 2;
    /** The oldest version read: version 1 is version 2 without the PROVING phase (--min-ready) and the warm-up. */
    public static final int OLDEST_READ = 1;
    static final String HEADER = "BATON-STATE ";
    private static final String CHECKSUM = "checksum=";

    private StateCodec() {}

    /** Whether this batond reads states of {@code version}; the check-only step of an upgrade asks. */
    public static boolean reads(int version) {
        return version >= OLDEST_READ && version <= VERSION;
    }

    /** The versions {@link #reads} says yes to, for a refusal's line. */
    public static String versionsRead() {
        return OLDEST_READ + " to " + VERSION;
    }

    public static byte[] encode(ImageState state) {
        Writer w = new Writer();
        putLifecycle(w, state.lifecycle());
        putListeners(w, state.listeners(), true);
        w.put("handoff.dir", state.handoff().directory().toString());
        w.put("handoff.fd", state.handoff().fd());
        List<String> connections = new ArrayList<>();
        new java.util.TreeMap<>(state.handoff().connections()).forEach((id, fd) -> connections.add(id + ":" + fd));
        w.put("handoff.connections", String.join(",", connections));
        w.put("handoff.last.id", state.handoff().lastId());
        w.put("control.path", state.control().path().toString());
        w.put("control.fd", state.control().fd());
        return w.finish();
    }

    /**
     * The state file's text ({@link SavedState}): the same facts as an image's state, without
     * descriptors (they die with the batond that held them), plus {@code saved.by} (batond's pid)
     * and, for each live generation, {@code gen.N.start}, its leader's start time.
     */
    public static byte[] encodeSaved(SavedState state) {
        Writer w = new Writer();
        w.put("saved.by", state.batondPid());
        putLifecycle(w, state.lifecycle());
        state.startTimes().forEach((number, ticks) -> w.put("gen." + number + ".", "start", ticks));
        putListeners(w, state.listeners(), false);
        return w.finish();
    }

    /** Reads a state file written by {@link #encodeSaved}; one line of what is wrong with any other. */
    public static SavedState decodeSaved(byte[] bytes) {
        Reader r = new Reader(bytes);
        if (!r.has("saved.by")) {
            throw new IllegalArgumentException("not a state file batond saved (no saved.by)");
        }
        LifecycleState lifecycle = readLifecycle(r);
        Map<Integer, Long> starts = new LinkedHashMap<>();
        for (int n : lifecycle.alive()) {
            String k = "gen." + n + ".start";
            if (r.has(k)) {
                starts.put(n, r.number(k));
            }
        }
        List<Listener> listeners = readListeners(r, false);
        return new SavedState(lifecycle, listeners, starts, r.number("saved.by"));
    }

    /** The listeners by index; their descriptors only in an image's state (a state file's would be dead). */
    private static void putListeners(Writer w, List<Listener> listeners, boolean withFds) {
        w.put("listeners", listeners.size());
        for (int i = 0; i < listeners.size(); i++) {
            Listener l = listeners.get(i);
            String k = "listener." + i + ".";
            w.put(k, "name", l.name());
            w.put(k, "host", l.address().getAddress().getHostAddress());
            w.put(k, "port", l.address().getPort());
            if (withFds) {
                w.put(k, "fd", l.fd());
            }
        }
    }

    /** As {@link #putListeners} wrote them; without descriptors each fd is -1. */
    private static List<Listener> readListeners(Reader r, boolean withFds) {
        List<Listener> listeners = new ArrayList<>();
        long count = r.number("listeners");
        for (int i = 0; i < count; i++) {
            String k = "listener." + i + ".";
            InetAddress host = r.parse(k + "host", r.string(k + "host"), StateCodec::literalAddress);
            listeners.add(new Listener(r.string(k + "name"), new InetSocketAddress(host, (int) r.number(k + "port")),
                    withFds ? r.fd(k + "fd") : -1));
        }
        return listeners;
    }

    private static void putLifecycle(Writer w, LifecycleState s) {
        w.put("started", s.startedAt());
        w.put("next.generation", s.nextGeneration());
        List<String> numbers = new ArrayList<>();
        for (GenerationRecord g : s.generations()) {
            numbers.add(Integer.toString(g.number()));
            String k = "gen." + g.number() + ".";
            w.put(k, "token", g.token());
            w.put(k, "pid", g.pid());
            w.put(k, "phase", g.phase().name());
            w.put(k, "deadline", g.deadline());
            w.put(k, "reason", g.reason());
            w.put(k, "spawned", g.spawnedAt());
            w.put(k, "ready", g.readyAt());
            w.put(k, "drain", g.drainStartedAt());
            w.put(k, "exited", g.exitedAt());
            w.put(k, "code", g.exitCode());
            w.put(k, "connection", g.connection());
            w.put(k, "service.pid", g.servicePid());
            w.put(k, "inflight", g.inflight());
            w.put(k, "served", g.served());
            w.put(k, "inflight.at.drain", g.inflightAtDrain());
            w.put(k, "inflight.at.exit", g.inflightAtExit());
            w.put(k, "drain.reported", g.drainReported());
            w.put(k, "killed", g.killedProcesses());
            w.put(k, "warmup.ms", g.warmupMs());
            w.put(k, "start.priority", g.startPriority()); // absent when not started low, and from images before it
        }
        w.put("generations", String.join(",", numbers));
        w.put("alive", join(s.alive()));
        w.put("exited.recently", join(s.exitedRecently()));
        w.put("serving", s.serving());
        w.put("starting", s.starting());
        List<String> ids = new ArrayList<>();
        for (ReloadRecord r : s.reloads()) {
            ids.add(Integer.toString(r.id()));
            String k = "reload." + r.id() + ".";
            w.put(k, "source", r.source());
            w.put(k, "requested", r.requestedAt());
            w.put(k, "outcome", r.outcome().name());
            w.put(k, "reason", r.reason());
            w.put(k, "fresh", r.fresh());
            w.put(k, "old", r.old());
            w.put(k, "before", r.countersBefore().overflows() + "," + r.countersBefore().drops());
            w.put(k, "after", r.countersAfter().overflows() + "," + r.countersAfter().drops());
            List<String> queues = new ArrayList<>();
            r.acceptQueuesAfter().forEach((name, n) -> queues.add(name + ":" + n));
            w.put(k, "queues", String.join(",", queues));
            w.put(k, "ended", r.endedAt());
        }
        w.put("reloads", String.join(",", ids));
        w.put("next.reload", s.nextReloadId());
        w.put("reload.starting", s.reloadStarting());
        List<String> draining = new ArrayList<>();
        s.reloadByOldGeneration().forEach((gen, id) -> draining.add(gen + ":" + id));
        w.put("reload.draining", String.join(",", draining));
        w.put("reload.queued", s.reloadQueued());
        BackoffRecord b = s.backoff();
        w.put("backoff.failures", b.failuresInARow());
        w.put("backoff.restarts", b.restarts());
        w.put("backoff.scheduled", b.scheduled());
        w.put("backoff.next", b.nextAttemptAt());
        w.put("backoff.last.failure", b.lastFailure());
        w.put("upgrades", s.upgrades());
        UpgradeSnapshot u = s.upgrade();
        if (u != null) {
            w.put("upgrade.source", u.source());
            w.put("upgrade.requested", u.requestedAt());
            w.put("upgrade.from.version", u.fromVersion());
            w.put("upgrade.from.jvm", u.fromJvm());
        }
    }

    /** Reads a state written by {@link #encode}; one line of what is wrong with any other. */
    public static ImageState decode(byte[] bytes) {
        Reader r = new Reader(bytes);
        LifecycleState lifecycle = readLifecycle(r);
        List<Listener> listeners = readListeners(r, true);
        ImageState.Handoff handoff = new ImageState.Handoff(Path.of(r.string("handoff.dir")), r.fd("handoff.fd"),
                r.pairs("handoff.connections"), (int) r.number("handoff.last.id"));
        ImageState.Control control = new ImageState.Control(Path.of(r.string("control.path")), r.fd("control.fd"));
        return new ImageState(lifecycle, listeners, handoff, control);
    }

    private static LifecycleState readLifecycle(Reader r) {
        List<GenerationRecord> generations = new ArrayList<>();
        for (int n : r.ints("generations")) {
            String k = "gen." + n + ".";
            generations.add(new GenerationRecord(n, r.string(k + "token"), r.number(k + "pid"),
                    r.value(k + "phase", Phase::valueOf), r.instantOrNull(k + "deadline"), r.stringOrNull(k + "reason"),
                    r.instant(k + "spawned"), r.instantOrNull(k + "ready"), r.instantOrNull(k + "drain"),
                    r.instantOrNull(k + "exited"), r.integerOrNull(k + "code"), (int) r.number(k + "connection"),
                    r.number(k + "service.pid"), r.number(k + "inflight"), r.number(k + "served"),
                    r.number(k + "inflight.at.drain"), r.number(k + "inflight.at.exit"), r.bool(k + "drain.reported"),
                    (int) r.number(k + "killed"), r.version >= 2 ? r.number(k + "warmup.ms") : -1,
                    startPriority(r, k + "start.priority")));
        }
        List<ReloadRecord> reloads = new ArrayList<>();
        for (int id : r.ints("reloads")) {
            String k = "reload." + id + ".";
            Map<String, Long> queues = new LinkedHashMap<>();
            for (String q : r.list(k + "queues")) {
                int colon = q.lastIndexOf(':');
                queues.put(q.substring(0, Math.max(0, colon)), r.parse(k + "queues", q.substring(colon + 1), Long::parseLong));
            }
            reloads.add(new ReloadRecord(id, r.string(k + "source"), r.instant(k + "requested"),
                    r.value(k + "outcome", Reload.Outcome::valueOf), r.string(k + "reason"),
                    r.integerOrNull(k + "fresh"), r.integerOrNull(k + "old"), r.counters(k + "before"),
                    r.counters(k + "after"), queues, r.instantOrNull(k + "ended")));
        }
        Map<Integer, Integer> draining = r.pairs("reload.draining");
        BackoffRecord backoff = new BackoffRecord((int) r.number("backoff.failures"), (int) r.number("backoff.restarts"),
                r.bool("backoff.scheduled"), r.instantOrNull("backoff.next"), r.stringOrNull("backoff.last.failure"));
        UpgradeSnapshot upgrade = r.has("upgrade.requested")
                ? new UpgradeSnapshot(UpgradeSnapshot.Outcome.REPLACING, "", r.string("upgrade.source"),
                        r.instant("upgrade.requested"), null, r.string("upgrade.from.version"),
                        r.string("upgrade.from.jvm"), null, null)
                : null;
        return new LifecycleState(r.instant("started"), (int) r.number("next.generation"),
                generations, r.ints("alive"), r.ints("exited.recently"), r.integerOrNull("serving"),
                r.integerOrNull("starting"), reloads, (int) r.number("next.reload"), r.integerOrNull("reload.starting"),
                draining, r.stringOrNull("reload.queued"), backoff, (int) r.number("upgrades"), upgrade);
    }

    /** A numeric address only: a state never makes batond resolve a name. */
    private static InetAddress literalAddress(String host) {
        if (!host.matches("[0-9a-fA-F:.%]+")) {
            throw new IllegalArgumentException("not a numeric address");
        }
        try {
            return InetAddress.getByName(host);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private static String join(List<Integer> numbers) {
        List<String> s = new ArrayList<>();
        numbers.forEach(n -> s.add(Integer.toString(n)));
        return String.join(",", s);
    }

    /**
     * Appends {@code key=value} lines. The state file is encoded whole about four times in the
     * 100 ms after a reload's READY (READY and the drain, the old generation's DRAINED, its
     * connection's end, its exit and the reload's end), on batond's interpreted JVM, as the new
     * generation takes the load: so a key is appended in its two parts, not
     * concatenated first, only strings are escaped (numbers, flags and instants hold neither
     * {@code \} nor newlines), and instants are formatted by {@link UtcTime#iso}.
     */
    private static final class Writer {
        private final StringBuilder text = new StringBuilder(4096).append(HEADER).append(VERSION).append('\n');

        void put(String key, Object value) {
            put(key, "", value);
        }

        /** The key {@code prefix + name}. */
        void put(String prefix, String name, Object value) {
            if (value != null) {
                text.append(prefix).append(name).append('=').append(text(value)).append('\n');
            }
        }

        byte[] finish() {
            byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
            CRC32 crc = new CRC32();
            crc.update(body);
            String hex = Long.toHexString(crc.getValue());
            byte[] checksum = (CHECKSUM + "0".repeat(8 - hex.length()) + hex + "\n").getBytes(StandardCharsets.UTF_8);
            byte[] bytes = Arrays.copyOf(body, body.length + checksum.length);
            System.arraycopy(checksum, 0, bytes, body.length, checksum.length);
            return bytes;
        }

        private static String text(Object value) {
            if (value instanceof Instant instant) {
                return UtcTime.iso(instant);
            }
            if (value instanceof Number || value instanceof Boolean) {
                return value.toString();
            }
            return escape(value.toString());
        }

        private static String escape(String s) {
            if (s.indexOf('\\') < 0 && s.indexOf('\n') < 0) {
                return s;
            }
            return s.replace("\\", "\\\\").replace("\n", "\\n");
        }
    }

    /** "low", "restored", or absent: anything else is refused, like every other bad value. */
    private static String startPriority(Reader r, String key) {
        String v = r.stringOrNull(key);
        if (v != null && !v.equals(dev.baton.supervisor.lifecycle.StartPriority.LOW)
                && !v.equals(dev.baton.supervisor.lifecycle.StartPriority.RESTORED)) {
            throw new IllegalArgumentException("state's " + key + " is not valid: " + printable(v));
        }
        return v;
    }

    private static final class Reader {
        private final Map<String, String> facts = new LinkedHashMap<>();
        final int version;

        Reader(byte[] bytes) {
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (!text.startsWith(HEADER)) {
                throw new IllegalArgumentException("not a batond state (no '" + HEADER.trim() + "' header)");
            }
            int firstLine = text.indexOf('\n');
            String version = text.substring(HEADER.length(), firstLine < 0 ? text.length() : firstLine);
            if (!version.matches("[0-9]{1,3}") || !reads(Integer.parseInt(version))) {
                throw new IllegalArgumentException("state version " + printable(version) + ", this batond reads versions "
                        + versionsRead());
            }
            this.version = Integer.parseInt(version);
            int sum = text.lastIndexOf("\n" + CHECKSUM);
            if (sum < 0 || !text.endsWith("\n")) {
                throw new IllegalArgumentException("state cut short: no checksum line at its end");
            }
            CRC32 crc = new CRC32();
            byte[] body = text.substring(0, sum + 1).getBytes(StandardCharsets.UTF_8);
            crc.update(body);
            String expected = String.format("%08x", crc.getValue());
            String given = text.substring(sum + 1 + CHECKSUM.length(), text.length() - 1);
            if (!expected.equals(given)) {
                throw new IllegalArgumentException("state checksum mismatch (cut short or edited)");
            }
            for (String line : text.substring(firstLine + 1, sum + 1).split("\n")) {
                int eq = line.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("state line is not key=value: " + printable(line));
                }
                if (facts.put(line.substring(0, eq), unescape(line.substring(eq + 1))) != null) {
                    throw new IllegalArgumentException("state names " + printable(line.substring(0, eq)) + " twice");
                }
            }
        }

        boolean has(String key) {
            return facts.containsKey(key);
        }

        String stringOrNull(String key) {
            return facts.get(key);
        }

        String string(String key) {
            String v = facts.get(key);
            if (v == null) {
                throw new IllegalArgumentException("state has no " + key);
            }
            return v;
        }

        <T> T parse(String key, String value, Function<String, T> parser) {
            try {
                return parser.apply(value);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("state's " + key + " is not valid: " + printable(value));
            }
        }

        <T> T value(String key, Function<String, T> parser) {
            return parse(key, string(key), parser);
        }

        long number(String key) {
            return value(key, Long::parseLong);
        }

        int fd(String key) {
            long fd = number(key);
            if (fd < 3 || fd > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("state's " + key + " is not a descriptor batond could hold: " + fd);
            }
            return (int) fd;
        }

        Integer integerOrNull(String key) {
            return has(key) ? value(key, Integer::valueOf) : null;
        }

        boolean bool(String key) {
            return value(key, v -> {
                if (!v.equals("true") && !v.equals("false")) {
                    throw new IllegalArgumentException(v);
                }
                return Boolean.parseBoolean(v);
            });
        }

        Instant instant(String key) {
            return value(key, Instant::parse);
        }

        Instant instantOrNull(String key) {
            return has(key) ? instant(key) : null;
        }

        List<String> list(String key) {
            String v = facts.getOrDefault(key, "");
            return v.isEmpty() ? List.of() : List.of(v.split(","));
        }

        List<Integer> ints(String key) {
            List<Integer> ints = new ArrayList<>();
            for (String s : list(key)) {
                ints.add(parse(key, s, Integer::valueOf));
            }
            return ints;
        }

        Map<Integer, Integer> pairs(String key) {
            Map<Integer, Integer> m = new LinkedHashMap<>();
            for (String s : list(key)) {
                String[] p = s.split(":", 2);
                if (p.length != 2) {
                    throw new IllegalArgumentException("state's " + key + " is not valid: " + printable(s));
                }
                m.put(parse(key, p[0], Integer::valueOf), parse(key, p[1], Integer::valueOf));
            }
            return m;
        }

        ListenCounters counters(String key) {
            String[] p = string(key).split(",", 2);
            if (p.length != 2) {
                throw new IllegalArgumentException("state's " + key + " is not valid: " + printable(string(key)));
            }
            return new ListenCounters(parse(key, p[0], Long::parseLong), parse(key, p[1], Long::parseLong));
        }

        private static String unescape(String s) {
            StringBuilder b = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\\' && i + 1 < s.length()) {
                    char next = s.charAt(++i);
                    b.append(next == 'n' ? '\n' : next);
                } else {
                    b.append(c);
                }
            }
            return b.toString();
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (b.length() >= 60) {
                return b + "...";
            }
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
