package dev.baton.supervisor.recovery;

import dev.baton.supervisor.lifecycle.LifecycleState;
import dev.baton.supervisor.lifecycle.Listener;
import dev.baton.supervisor.os.ProcStat;
import dev.baton.supervisor.upgrade.SavedState;
import dev.baton.supervisor.upgrade.StateCodec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code batond.state} in the handoff socket's directory: what a batond started after this one
 * died reads to find its children ({@link StateFileCheck}). The loop only {@link #offer}s the
 * latest state (one slot: a newer offer replaces one not written yet, so nothing queues up); one
 * thread of its own encodes it, unless it equals the state last written, and only when the bytes
 * differ from the last written writes them to a temporary file (mode 0600) and renames it over
 * the state file. batond dying at any point leaves the previous state or the new one, never a mix.
 *
 * <p>No fsync: the file is for a batond started after this one died, within the same boot; what
 * is written survives a process's death in the page cache, and after a power cut no child it
 * names is left to find. Two fsyncs a write (a dozen a reload) bought nothing but journal
 * commits and disk writes while a reload is under way.
 */
public final class StateFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("batond");

    public static final String NAME = "batond.state";
    static final String TEMPORARY = NAME + ".tmp";
    /** How long {@link #close} waits for a write under way. */
    static final long CLOSE_WAIT_MS = 2000;

    private final Path directory;
    private final Path file;
    private final Path proc;
    private final long batondPid;
    /** Called with the bytes before each write (tests hold the writer there). */
    private final java.util.function.Consumer<byte[]> beforeWrite;
    private final Object lock = new Object();
    private Offer pending; // guarded by lock
    private boolean closed; // guarded by lock
    /** Start times learnt elsewhere (the state file read at start), for the writer to take. */
    private final Map<Long, Long> pendingStartTimes = new HashMap<>(); // guarded by lock
    /**
     * Writer thread only: the bytes last written, the state they encode (null while a live
     * leader's start time is missing), and the live leaders' start times by pid.
     */
    private byte[] written;
    private Offer writtenOffer;
    private final Map<Long, Long> startTimes = new HashMap<>();
    private volatile int writes;
    private volatile int taken;
    private volatile int encodes;
    private volatile boolean failing;
    private final Thread writer;

    private record Offer(LifecycleState lifecycle, List<Listener> listeners) {}

    public StateFile(Path directory, Path proc, long batondPid) {
        this(directory, proc, batondPid, bytes -> { });
    }

    StateFile(Path directory, Path proc, long batondPid, java.util.function.Consumer<byte[]> beforeWrite) {
        this.directory = directory;
        this.file = directory.resolve(NAME);
        this.proc = proc;
        this.batondPid = batondPid;
        this.beforeWrite = beforeWrite;
        this.writer = new Thread(this::run, "state-file");
        writer.setDaemon(true);
        writer.start();
    }

    public Path path() {
        return file;
    }

    /** Start times already checked (a state file read at start): kept, not read again. */
    public void knownStartTimes(Map<Long, Long> byPid) {
        synchronized (lock) {
            pendingStartTimes.putAll(byPid);
        }
    }

    /** The loop hands over the latest state; never blocks, never writes. */
    public void offer(LifecycleState lifecycle, List<Listener> listeners) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            pending = new Offer(lifecycle, List.copyOf(listeners));
            lock.notifyAll();
        }
    }

    /** How many times the file was written (tests). */
    int writes() {
        return writes;
    }

    /** How many offers the writer has dealt with (tests). */
    int taken() {
        return taken;
    }

    /** How many states were encoded (tests). */
    int encodes() {
        return encodes;
    }

    private void run() {
        while (true) {
            Offer next;
            synchronized (lock) {
                while (pending == null && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (pending == null) {
                    return; // closed, nothing left to write
                }
                next = pending;
                pending = null;
                startTimes.putAll(pendingStartTimes);
                pendingStartTimes.clear();
            }
            try {
                write(next);
            } catch (RuntimeException e) {
                LOG.error("internal error writing {}", file, e);
            }
            taken++;
        }
    }

    private void write(Offer offer) {
        if (offer.equals(writtenOffer)) {
            return; // most loop items change nothing: no /proc read, no encoding (all interpreted in batond)
        }
        Map<Integer, Long> starts = new LinkedHashMap<>();
        java.util.Set<Long> alivePids = new java.util.HashSet<>();
        for (LifecycleState.GenerationRecord g : offer.lifecycle().generations()) {
            if (offer.lifecycle().alive().contains(g.number())) {
                alivePids.add(g.pid());
                Long ticks = startTimes.get(g.pid());
                if (ticks == null) {
                    Optional<ProcStat> stat = ProcStat.of(proc, g.pid());
                    if (stat.isPresent()) {
                        ticks = stat.get().startTime();
                        startTimes.put(g.pid(), ticks);
                    }
                }
                if (ticks != null) {
                    starts.put(g.number(), ticks);
                }
            }
        }
        startTimes.keySet().retainAll(alivePids);
        // A start time /proc did not give is looked for again at the next offer, even an equal one.
        Offer encoded = starts.size() == alivePids.size() ? offer : null;
        byte[] bytes = StateCodec.encodeSaved(new SavedState(offer.lifecycle(), offer.listeners(), starts, batondPid));
        encodes++;
        if (Arrays.equals(bytes, written)) {
            writtenOffer = encoded;
            return;
        }
        beforeWrite.accept(bytes);
        Path temporary = directory.resolve(TEMPORARY);
        try {
            Files.deleteIfExists(temporary); // left by a batond that died writing it
            try (FileChannel out = FileChannel.open(temporary, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            written = bytes;
            writtenOffer = encoded;
            writes++;
            if (failing) {
                failing = false;
                LOG.info("{} written again", file);
            }
        } catch (IOException e) {
            if (!failing) {
                failing = true; // once until it works again: the next offer tries anew
                LOG.error("cannot write {}: {}; a batond started after this one dies would not find its children",
                        file, e.toString());
            }
        }
    }

    /**
     * Stops the writer (a write under way ends first; an offer not written yet is dropped) and,
     * with {@code remove}, deletes the file: batond ended cleanly, no child is left to find.
     */
    public void close(boolean remove) {
        synchronized (lock) {
            closed = true;
            pending = null;
            lock.notifyAll();
        }
        try {
            writer.join(CLOSE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (remove) {
            try {
                Files.deleteIfExists(file);
                Files.deleteIfExists(directory.resolve(TEMPORARY));
            } catch (IOException e) {
                LOG.warn("cannot remove {}: {}", file, e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        close(false);
    }
}
