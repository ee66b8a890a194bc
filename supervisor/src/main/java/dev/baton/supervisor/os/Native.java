package dev.baton.supervisor.os;

import java.io.IOException;

/** batond's native calls, kept behind one small interface; {@link LibcNative} is the real one. */
public interface Native {
    /** The TCP and Unix sockets batond opens, binds, accepts, reads and writes itself. */
    NativeSockets sockets();

    /** Writes all of {@code bytes} on a connected Unix socket, the descriptors riding on the first byte. */
    void sendWithFds(int socket, byte[] bytes, int[] fds) throws IOException;

    /** waitpid(pid, WNOHANG) for a process batond did not start; true when it was reaped. */
    boolean reap(long pid);

    int uid();

    void close(int fd);

    /**
     * getsockopt(TCP_INFO) on a socket: its TCP state and, for a listening socket, the connections
     * waiting in its accept queue and the queue's limit. Empty when fd is not a TCP socket.
     */
    java.util.Optional<TcpInfo> tcpInfo(int fd);

    /** What batond reads from TCP_INFO; {@code state} is the kernel's TCP_* state number. */
    record TcpInfo(int state, long acceptQueue, long backlog) {
        /** The kernel's TCP_LISTEN. */
        static final int LISTEN = 10;

        boolean listening() {
            return state == LISTEN;
        }
    }

    /** The process at the other end of a connected Unix socket (SO_PEERCRED). */
    Peer peer(int socket) throws IOException;

    /** Who connected: pid and uid as the kernel saw them at connect(). */
    record Peer(long pid, int uid) {}

    /** Where a TCP socket is bound (getsockname). */
    java.net.InetSocketAddress localAddress(int fd) throws IOException;

    /** One datagram to a Unix datagram socket; a leading '@' in the path names an abstract socket. */
    void sendDatagram(String socketPath, byte[] message) throws IOException;

    /** One datagram with descriptors attached (SCM_RIGHTS), e.g. sd_notify's FDSTORE=1. */
    void sendDatagram(String socketPath, byte[] message, int[] fds) throws IOException;

    /** FD_CLOEXEC on a descriptor batond inherited (socket activation), so no exec'd process keeps it. */
    void setCloseOnExec(int fd) throws IOException;

    /**
     * Starts {@code argv} (searched on PATH) with exactly {@code env}, as the leader of a session and
     * process group of its own, with batond's stdin, stdout and stderr and no other descriptor, every
     * signal at its default and none blocked. Returns its pid, which is also its process group id.
     */
    long spawn(java.util.List<String> argv, java.util.List<String> env) throws IOException;

    /**
     * Blocks until the child {@code pid} exits and reaps it: its exit code, or 128+N when signal N
     * ended it (as a shell reports it).
     */
    int awaitExit(long pid) throws IOException;

    /** kill(-pgid, signal): every process of the group; false when the group has no process left. */
    boolean signalGroup(long pgid, int signal) throws IOException;

    /**
     * pidfd_open(pid, 0): a descriptor (close-on-exec) that poll reports readable once the process
     * has exited, whoever its parent is; -1 when the kernel has no pidfd_open (before Linux 5.3).
     */
    int pidfdOpen(long pid) throws IOException;

    /**
     * setpriority(PRIO_PROCESS, tid, nice): Linux keeps a nice value per thread, and a thread id
     * names just that thread. Returns 0, or the errno (ESRCH: it has exited; EPERM, EACCES: not allowed).
     */
    int setThreadNice(long tid, int nice);

    /** memfd_create(name, MFD_CLOEXEC): an anonymous file in memory, for the state batond hands its next image. */
    int memfd(String name) throws IOException;

    /** Clears FD_CLOEXEC ({@code inherited}: the descriptor survives an exec) or sets it. */
    void setInheritedOnExec(int fd, boolean inherited) throws IOException;

    /**
     * Replaces batond's image in place: execve(path, argv, env) from the calling thread, with every
     * signal unblocked first (the new JVM starts as from a shell). Returns only by throwing.
     */
    void exec(String path, java.util.List<String> argv, java.util.List<String> env) throws IOException;
}
