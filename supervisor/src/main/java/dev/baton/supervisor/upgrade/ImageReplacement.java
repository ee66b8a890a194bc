package dev.baton.supervisor.upgrade;

import dev.baton.supervisor.lifecycle.Listener;
import dev.baton.supervisor.os.Native;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The exec in place: the state goes to a memfd, exactly the descriptors the next image adopts
 * lose close-on-exec (listeners, the handoff socket and its connections, the control socket, the
 * state) and every other one of batond's gains it (the JVM opens most of its own without), then
 * execve in batond's own environment plus {@value #STATE_FD}. Same pid: systemd's MAINPID and the
 * children's parent stay. Returns only when something failed, with the descriptors as they were.
 */
public final class ImageReplacement {
    /** Names the descriptor of the state the new image resumes from. */
    public static final String STATE_FD = "BATOND_STATE_FD";

    private ImageReplacement() {}

    public static void exec(ImageState state, ImageCommand command, Native nat, Map<String, String> env,
                            Runnable lastWords) throws IOException {
        byte[] bytes = StateCodec.encode(state);
        int memfd = nat.memfd("batond-state");
        Set<Integer> kept = new TreeSet<>();
        try {
            Files.write(Path.of("/proc/self/fd/" + memfd), bytes);
            kept.add(memfd);
            state.listeners().forEach(l -> kept.add(l.fd()));
            kept.add(state.handoff().fd());
            kept.addAll(state.handoff().connections().values());
            kept.add(state.control().fd());
            for (int fd : openDescriptors()) {
                if (fd > 2 && !kept.contains(fd)) {
                    try {
                        nat.setInheritedOnExec(fd, false);
                    } catch (IOException e) {
                        // closed meanwhile (the listing's own descriptor): nothing to keep from the next image
                    }
                }
            }
            for (int fd : kept) {
                nat.setInheritedOnExec(fd, true);
            }
            Map<String, String> next = new TreeMap<>(env);
            next.put(STATE_FD, Integer.toString(memfd));
            List<String> variables = new ArrayList<>();
            next.forEach((k, v) -> variables.add(k + "=" + v));
            lastWords.run();
            nat.exec(command.path(), command.argv(), variables);
        } catch (IOException | RuntimeException e) {
            for (int fd : kept) {
                try {
                    nat.setInheritedOnExec(fd, false);
                } catch (IOException ignored) {
                    // as it was: close-on-exec
                }
            }
            nat.close(memfd);
            throw e;
        }
    }

    /** Reads and closes the state descriptor the previous image left; one line of what is wrong with it. */
    public static ImageState resume(String fdVariable, Native nat) {
        int fd;
        try {
            fd = Integer.parseInt(fdVariable);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(STATE_FD + " is not a descriptor: " + fdVariable);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of("/proc/self/fd/" + fd));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the state at descriptor " + fd + ": " + e.getMessage());
        } finally {
            nat.close(fd);
        }
        return StateCodec.decode(bytes);
    }

    /** The listeners' descriptors, again close-on-exec in the new image (no child inherits them but by SCM_RIGHTS). */
    public static void closeOnExecAgain(ImageState state, Native nat) throws IOException {
        for (Listener l : state.listeners()) {
            nat.setCloseOnExec(l.fd());
        }
        nat.setCloseOnExec(state.handoff().fd());
        for (int fd : state.handoff().connections().values()) {
            nat.setCloseOnExec(fd);
        }
        nat.setCloseOnExec(state.control().fd());
    }

    private static int[] openDescriptors() throws IOException {
        try (java.util.stream.Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.mapToInt(p -> Integer.parseInt(p.getFileName().toString())).toArray();
        }
    }
}
