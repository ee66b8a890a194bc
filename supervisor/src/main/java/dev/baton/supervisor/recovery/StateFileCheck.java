package dev.baton.supervisor.recovery;

import dev.baton.supervisor.upgrade.SavedState;
import dev.baton.supervisor.upgrade.StateCodec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the state file a batond that died left ({@link StateFile}), trusting it only when it is a
 * regular file (not a link), batond's uid's, readable by nobody else, not larger than
 * {@link #MAX_SIZE}, of a version this batond reads and with its checksum right. Anything else is
 * refused with one line and moved aside as {@code batond.state.bad-EPOCHMS}: batond starts fresh,
 * and the file is still there to look at.
 */
public final class StateFileCheck {
    private static final Logger LOG = LoggerFactory.getLogger("batond");

    /** A state is a few KiB (five exited generations and ten reloads at most): anything near this is not one. */
    static final long MAX_SIZE = 1 << 20;

    private StateFileCheck() {}

    /** The saved state in {@code directory}, empty when there is none or it was refused (and moved aside). */
    public static Optional<SavedState> read(Path directory, int ownUid, long nowMillis) {
        Path file = directory.resolve(StateFile.NAME);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        String problem;
        try {
            problem = problem(file, ownUid);
            if (problem == null) {
                return Optional.of(StateCodec.decodeSaved(Files.readAllBytes(file)));
            }
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
        } catch (IOException e) {
            problem = "cannot read it: " + e.getMessage();
        }
        Path aside = directory.resolve(StateFile.NAME + ".bad-" + nowMillis);
        String moved;
        try {
            Files.move(file, aside);
            moved = "moved aside to " + aside.getFileName();
        } catch (IOException e) {
            moved = "cannot move it aside (" + e.getMessage() + ")";
        }
        LOG.warn("state file {} refused: {}; {}; starting fresh", file, problem, moved);
        return Optional.empty();
    }

    /** What makes the file untrustworthy before it is even read; null when nothing. */
    static String problem(Path file, int ownUid) throws IOException {
        PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
            return "not a regular file";
        }
        int owner = ((Number) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS)).intValue();
        if (owner != ownUid) {
            return "owned by uid " + owner + ", not by batond's uid " + ownUid;
        }
        Set<PosixFilePermission> others = Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_EXECUTE);
        for (PosixFilePermission p : a.permissions()) {
            if (others.contains(p)) {
                return "mode " + java.nio.file.attribute.PosixFilePermissions.toString(a.permissions())
                        + " lets other users read or change it (batond writes it rw-------)";
            }
        }
        if (a.size() > MAX_SIZE) {
            return a.size() + " bytes, more than any state batond writes";
        }
        return null;
    }
}
