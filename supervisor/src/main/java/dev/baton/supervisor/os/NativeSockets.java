package dev.baton.supervisor.os;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The sockets batond opens itself, so that it owns their descriptors without reading them out of
 * JDK channels: its TCP listeners (passed to children), the handoff and the control socket.
 * {@link LibcSockets} is the real one; {@link Native#sockets()} gives it. Every descriptor made
 * here is close-on-exec. Errors read {@code op(..) failed: strerror}; EINTR is retried.
 */
public interface NativeSockets {
    /**
     * A TCP socket bound to {@code address} (port 0: a free one) and listening with {@code backlog},
     * blocking, SO_REUSEADDR set. As the JDK's ServerSocketChannel: where the host has IPv6 the socket
     * is AF_INET6 and dual-stack (IPV6_V6ONLY off), an IPv4 address bound as its IPv4-mapped form and
     * 0.0.0.0 as [::]. Its address is {@link Native#localAddress(int)}.
     */
    int listenTcp(InetSocketAddress address, int backlog) throws IOException;

    /** An AF_UNIX stream socket bound at {@code path} (at most 107 bytes) and listening. */
    int listenUnix(Path path, int backlog, boolean nonBlocking) throws IOException;

    /** accept4: the connection, close-on-exec; -1 when none waits on a non-blocking listener. */
    int accept(int listener, boolean nonBlocking) throws IOException;

    /**
     * recv into {@code into}'s remaining space, advancing its position: the bytes read, -1 at end
     * of stream, 0 when nothing is there now (a non-blocking socket, or {@code wait} false).
     */
    int receive(int fd, ByteBuffer into, boolean wait) throws IOException;

    /**
     * As {@link #receive(int, ByteBuffer, boolean)} with recvmsg: the descriptors that came with the
     * bytes (SCM_RIGHTS, close-on-exec) are added to {@code fds}; the caller owns them, to keep or close.
     */
    int receive(int fd, ByteBuffer into, boolean wait, java.util.List<Integer> fds) throws IOException;

    /**
     * send (MSG_NOSIGNAL: a vanished peer is EPIPE, not SIGPIPE) from {@code from}'s remaining bytes,
     * advancing its position: the bytes written, 0 when the socket buffer is full and the socket is
     * non-blocking or {@code wait} is false.
     */
    int send(int fd, ByteBuffer from, boolean wait) throws IOException;

    /**
     * shutdown(SHUT_RD, SHUT_WR or SHUT_RDWR): a read blocked on the socket (or an accept blocked on
     * a listener) returns at once.
     */
    void shutdown(int fd, Shutdown how) throws IOException;

    enum Shutdown {
        /** SHUT_RD. */
        INPUT(0),
        /** SHUT_WR. */
        OUTPUT(1),
        /** SHUT_RDWR. */
        BOTH(2);

        final int how;

        Shutdown(int how) {
            this.how = how;
        }
    }

    /** poll's POLLIN: data to read, a connection to accept (or end of stream). */
    short POLLIN = 0x1;

    /**
     * poll(2) over {@code count} descriptors, each watched for {@code events[i]}; the kernel's answer
     * in {@code revents[i]} (POLLERR, POLLHUP and POLLNVAL are always reported). Waits at most
     * {@code timeoutMs}, forever when negative. Returns how many descriptors are ready, or 0 when a
     * signal interrupted the wait: the caller's loop goes round and computes its timeout afresh.
     */
    int poll(int[] fds, short[] events, short[] revents, int count, int timeoutMs) throws IOException;

    /** An eventfd (non-blocking, close-on-exec) that {@link #wake} makes readable for poll. */
    int openWakeup() throws IOException;

    /** Makes the wakeup descriptor readable; never blocks. */
    void wake(int wakeup) throws IOException;

    /** Makes the wakeup descriptor unreadable again. */
    void clearWakeup(int wakeup) throws IOException;
}
