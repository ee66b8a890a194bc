package dev.baton.supervisor;

import java.io.IOException;

/** batond's native calls, kept behind one small interface; {@link PosixNative} is the real one. */
interface Native {
    /** Writes all of {@code bytes} on a connected Unix socket, the descriptors riding on the first byte. */
    void sendWithFds(int socket, byte[] bytes, int[] fds) throws IOException;

    /** waitpid(pid, WNOHANG) for a process batond did not start; true when it was reaped. */
    boolean reap(long pid);

    int uid();

    void close(int fd);

    /** FD_CLOEXEC on a descriptor batond inherited (socket activation), so no exec'd process keeps it. */
    void setCloseOnExec(int fd) throws IOException;
}
