package dev.baton.supervisor.os;

import static dev.baton.supervisor.os.LibcNative.EINTR;
import static dev.baton.supervisor.os.LibcNative.MEMORY;
import static dev.baton.supervisor.os.LibcNative.SOCK_CLOEXEC;
import static dev.baton.supervisor.os.LibcNative.SOL_SOCKET;
import static dev.baton.supervisor.os.LibcNative.errno;
import static dev.baton.supervisor.os.LibcNative.failure;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import com.kenai.jffi.Type;
import dev.baton.supervisor.os.LibcNative.Function;
import dev.baton.supervisor.os.LibcNative.Memory;
import dev.baton.protocol.Addresses;

/**
 * {@link NativeSockets} on Linux LP64 through jffi, as {@link LibcNative}: sockaddr_in, sockaddr_in6,
 * sockaddr_un and pollfd laid out by hand (the platform is checked before any of it loads).
 */
public final class LibcSockets implements NativeSockets {
    static {
        NativePlatform.require();
    }

    static final int SOCK_STREAM = 1;
    /** O_NONBLOCK: 04000 in Linux's generic flags, which x86_64 and aarch64 both use. */
    static final int SOCK_NONBLOCK = 0x800;
    static final int SO_REUSEADDR = 2;
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_V6ONLY = 26;
    static final int MSG_DONTWAIT = 0x40;
    static final int EAGAIN = 11;
    static final int EAFNOSUPPORT = 97;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;
    /** struct sockaddr_in: sa_family (host order), port (network order) at 2, the address at 4; 16 bytes. */
    static final int SOCKADDR_IN_SIZE = 16;
    /** struct sockaddr_in6: family, port at 2, flowinfo at 4, the address at 8, scope id at 24; 28 bytes. */
    static final int SOCKADDR_IN6_SIZE = 28;
    /** struct sockaddr_un: sa_family, then sun_path[108]. */
    static final int SOCKADDR_UN_SIZE = 2 + LibcNative.SUN_PATH_MAX;
    /** struct pollfd: int fd, short events at 4, short revents at 6; 8 bytes. */
    static final int POLLFD_SIZE = 8;
    /** recvmsg: descriptors received are close-on-exec at once. */
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    /** Descriptors one recvmsg takes at most; the kernel closes any beyond (MSG_CTRUNC). */
    static final int MAX_FDS_PER_MESSAGE = 32;

    private static final Function SOCKET = Function.of("socket", Type.SINT, Type.SINT, Type.SINT, Type.SINT);
    private static final Function SETSOCKOPT =
            Function.of("setsockopt", Type.SINT, Type.SINT, Type.SINT, Type.SINT, Type.POINTER, Type.UINT);
    private static final Function BIND = Function.of("bind", Type.SINT, Type.SINT, Type.POINTER, Type.UINT);
    private static final Function LISTEN = Function.of("listen", Type.SINT, Type.SINT, Type.SINT);
    private static final Function ACCEPT4 = Function.of("accept4", Type.SINT, Type.SINT, Type.POINTER, Type.POINTER, Type.SINT);
    private static final Function RECV = Function.of("recv", Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG, Type.SINT);
    private static final Function RECVMSG = Function.of("recvmsg", Type.SLONG, Type.SINT, Type.POINTER, Type.SINT);
    private static final Function SEND = Function.of("send", Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG, Type.SINT);
    private static final Function SHUTDOWN = Function.of("shutdown", Type.SINT, Type.SINT, Type.SINT);
    private static final Function POLL = Function.of("poll", Type.SINT, Type.POINTER, Type.ULONG, Type.SINT);
    private static final Function EVENTFD = Function.of("eventfd", Type.SINT, Type.UINT, Type.SINT);
    private static final Function WRITE = Function.of("write", Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG);
    private static final Function READ = Function.of("read", Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG);
    private static final Function CLOSE = Function.of("close", Type.SINT, Type.SINT);

    @Override
    public int listenTcp(InetSocketAddress address, int backlog) throws IOException {
        if (address.isUnresolved()) {
            throw new IOException("cannot resolve " + address.getHostString());
        }
        String shown = Addresses.format(address);
        InetAddress ip = address.getAddress();
        // The JDK's choice (sun.nio.ch.Net): an IPv6 socket wherever the host has IPv6, dual-stack.
        boolean v6 = !Boolean.getBoolean("java.net.preferIPv4Stack") || ip instanceof Inet6Address;
        int fd = v6 ? SOCKET.callInt(LibcNative.AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0) : -1;
        if (fd < 0 && v6 && ip instanceof Inet4Address && errno() == EAFNOSUPPORT) {
            v6 = false; // a kernel without IPv6
        }
        if (!v6) {
            fd = SOCKET.callInt(LibcNative.AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        }
        if (fd < 0) {
            throw failure("socket(" + (v6 ? "AF_INET6" : "AF_INET") + ", SOCK_STREAM)");
        }
        try {
            setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
            if (v6) {
                setInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0, "IPV6_V6ONLY");
            }
            try (Memory sockaddr = new Memory(SOCKADDR_IN6_SIZE)) {
                int length = v6 ? putIn6(sockaddr.address, ip, address.getPort()) : putIn(sockaddr.address, ip, address.getPort());
                if (BIND.callInt(fd, sockaddr.address, length) < 0) {
                    throw failure("bind(" + shown + ")");
                }
            }
            if (LISTEN.callInt(fd, backlog) < 0) {
                throw failure("listen(" + shown + ")");
            }
            return fd;
        } catch (IOException | RuntimeException e) {
            CLOSE.callInt(fd);
            throw e;
        }
    }

    /** sockaddr_in; its length. */
    private static int putIn(long at, InetAddress ip, int port) {
        MEMORY.putShort(at, (short) LibcNative.AF_INET);
        putPort(at, port);
        byte[] bytes = ip.getAddress();
        MEMORY.putByteArray(at + 4, bytes, 0, bytes.length);
        return SOCKADDR_IN_SIZE;
    }

    /** sockaddr_in6, an IPv4 address as ::ffff:a.b.c.d and 0.0.0.0 as :: (as the JDK binds them); its length. */
    private static int putIn6(long at, InetAddress ip, int port) {
        MEMORY.putShort(at, (short) LibcNative.AF_INET6);
        putPort(at, port);
        byte[] bytes = ip.getAddress();
        if (ip instanceof Inet4Address) {
            if (!ip.isAnyLocalAddress()) {
                MEMORY.putByte(at + 8 + 10, (byte) 0xff);
                MEMORY.putByte(at + 8 + 11, (byte) 0xff);
                MEMORY.putByteArray(at + 8 + 12, bytes, 0, 4);
            }
        } else {
            MEMORY.putByteArray(at + 8, bytes, 0, 16);
            MEMORY.putInt(at + 24, ((Inet6Address) ip).getScopeId());
        }
        return SOCKADDR_IN6_SIZE;
    }

    private static void putPort(long at, int port) {
        MEMORY.putByte(at + 2, (byte) (port >> 8));
        MEMORY.putByte(at + 3, (byte) port);
    }

    private static void setInt(int fd, int level, int option, int value, String name) throws IOException {
        try (Memory v = new Memory(Integer.BYTES)) {
            MEMORY.putInt(v.address, value);
            if (SETSOCKOPT.callInt(fd, level, option, v.address, Integer.BYTES) < 0) {
                throw failure("setsockopt(" + fd + ", " + name + ")");
            }
        }
    }

    @Override
    public int listenUnix(Path path, int backlog, boolean nonBlocking) throws IOException {
        byte[] bytes = path.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length + 1 > LibcNative.SUN_PATH_MAX) {
            throw new IOException("socket path too long (" + bytes.length + " bytes, at most "
                    + (LibcNative.SUN_PATH_MAX - 1) + "): " + path);
        }
        for (byte b : bytes) {
            if (b == 0) {
                throw new IOException("a NUL byte in the socket path: " + path);
            }
        }
        int fd = SOCKET.callInt(LibcNative.AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonBlocking ? SOCK_NONBLOCK : 0), 0);
        if (fd < 0) {
            throw failure("socket(AF_UNIX, SOCK_STREAM)");
        }
        try (Memory sockaddr = new Memory(SOCKADDR_UN_SIZE)) {
            MEMORY.putShort(sockaddr.address, (short) LibcNative.AF_UNIX);
            MEMORY.putByteArray(sockaddr.address + 2, bytes, 0, bytes.length); // the zeroed memory ends it
            if (BIND.callInt(fd, sockaddr.address, 2 + bytes.length + 1) < 0) {
                throw failure("bind(" + path + ")");
            }
            if (LISTEN.callInt(fd, backlog) < 0) {
                throw failure("listen(" + path + ")");
            }
            return fd;
        } catch (IOException | RuntimeException e) {
            CLOSE.callInt(fd);
            throw e;
        }
    }

    @Override
    public int accept(int listener, boolean nonBlocking) throws IOException {
        int fd;
        do {
            fd = ACCEPT4.callInt(listener, 0, 0, SOCK_CLOEXEC | (nonBlocking ? SOCK_NONBLOCK : 0));
        } while (fd < 0 && errno() == EINTR);
        if (fd < 0) {
            if (errno() == EAGAIN) {
                return -1;
            }
            throw failure("accept4(" + listener + ")");
        }
        return fd;
    }

    @Override
    public int receive(int fd, ByteBuffer into, boolean wait) throws IOException {
        int length = into.remaining();
        if (length == 0) {
            return 0;
        }
        try (Buffer buffer = new Buffer(into, length)) {
            long n;
            do {
                n = RECV.call(fd, buffer.address, length, wait ? 0 : MSG_DONTWAIT);
            } while (n < 0 && errno() == EINTR);
            if (n < 0) {
                if (errno() == EAGAIN) {
                    return 0;
                }
                throw failure("recv(" + fd + ")");
            }
            if (n == 0) {
                return -1;
            }
            buffer.received(into, (int) n);
            return (int) n;
        }
    }

    @Override
    public int receive(int fd, ByteBuffer into, boolean wait, java.util.List<Integer> fds) throws IOException {
        int length = into.remaining();
        if (length == 0) {
            return 0;
        }
        int controlSpace = LibcNative.CMSGHDR_SIZE + Integer.BYTES * MAX_FDS_PER_MESSAGE;
        try (Buffer buffer = new Buffer(into, length); Memory iov = new Memory(16); Memory control = new Memory(controlSpace);
             Memory msg = new Memory(LibcNative.MSGHDR_SIZE)) {
            MEMORY.putAddress(iov.address, buffer.address);
            MEMORY.putLong(iov.address + 8, length);
            MEMORY.putAddress(msg.address + 16, iov.address);
            MEMORY.putLong(msg.address + 24, 1);
            MEMORY.putAddress(msg.address + 32, control.address);
            MEMORY.putLong(msg.address + 40, controlSpace);
            long n;
            do {
                n = RECVMSG.call(fd, msg.address, MSG_CMSG_CLOEXEC | (wait ? 0 : MSG_DONTWAIT));
            } while (n < 0 && errno() == EINTR);
            if (n < 0) {
                if (errno() == EAGAIN) {
                    return 0;
                }
                throw failure("recvmsg(" + fd + ")");
            }
            // Every SCM_RIGHTS message of the control data (cmsg_len, level, type, then the ints; 8-aligned).
            long used = MEMORY.getLong(msg.address + 40);
            long at = 0;
            while (at + LibcNative.CMSGHDR_SIZE <= used) {
                long cmsgLength = MEMORY.getLong(control.address + at);
                if (cmsgLength < LibcNative.CMSGHDR_SIZE || at + cmsgLength > used) {
                    break;
                }
                if (MEMORY.getInt(control.address + at + 8) == LibcNative.SOL_SOCKET
                        && MEMORY.getInt(control.address + at + 12) == dev.baton.protocol.Linux.SCM_RIGHTS) {
                    for (long i = LibcNative.CMSGHDR_SIZE; i + Integer.BYTES <= cmsgLength; i += Integer.BYTES) {
                        fds.add(MEMORY.getInt(control.address + at + i));
                    }
                }
                at += (cmsgLength + 7) / 8 * 8;
            }
            if (n == 0) {
                return -1;
            }
            buffer.received(into, (int) n);
            return (int) n;
        }
    }

    @Override
    public int send(int fd, ByteBuffer from, boolean wait) throws IOException {
        int length = from.remaining();
        if (length == 0) {
            return 0;
        }
        try (Buffer buffer = new Buffer(from, length)) {
            buffer.toSend(from, length);
            long n;
            do {
                n = SEND.call(fd, buffer.address, length, LibcNative.MSG_NOSIGNAL | (wait ? 0 : MSG_DONTWAIT));
            } while (n < 0 && errno() == EINTR);
            if (n < 0) {
                if (errno() == EAGAIN) {
                    return 0;
                }
                throw failure("send(" + fd + ")");
            }
            from.position(from.position() + (int) n);
            return (int) n;
        }
    }

    /**
     * The native memory a read or write goes through: a direct buffer's own, or a temporary copy
     * for a heap buffer.
     */
    private static final class Buffer implements AutoCloseable {
        final long address;
        private final Memory copy;

        Buffer(ByteBuffer buffer, int length) {
            if (buffer.isDirect()) {
                copy = null;
                address = MEMORY.getDirectBufferAddress(buffer) + buffer.position();
            } else {
                copy = new Memory(length);
                address = copy.address;
            }
        }

        void toSend(ByteBuffer from, int length) {
            if (copy != null) {
                MEMORY.putByteArray(address, from.array(), from.arrayOffset() + from.position(), length);
            }
        }

        void received(ByteBuffer into, int n) {
            if (copy != null) {
                MEMORY.getByteArray(address, into.array(), into.arrayOffset() + into.position(), n);
            }
            into.position(into.position() + n);
        }

        @Override
        public void close() {
            if (copy != null) {
                copy.close();
            }
        }
    }

    @Override
    public void shutdown(int fd, Shutdown how) throws IOException {
        if (SHUTDOWN.callInt(fd, how.how) < 0) {
            throw failure("shutdown(" + fd + ", " + how + ")");
        }
    }

    @Override
    public int poll(int[] fds, short[] events, short[] revents, int count, int timeoutMs) throws IOException {
        try (Memory pollfds = new Memory((long) POLLFD_SIZE * Math.max(1, count))) {
            for (int i = 0; i < count; i++) {
                long at = pollfds.address + (long) POLLFD_SIZE * i;
                MEMORY.putInt(at, fds[i]);
                MEMORY.putShort(at + 4, events[i]);
            }
            int n = POLL.callInt(pollfds.address, count, timeoutMs);
            if (n < 0) {
                if (errno() == EINTR) {
                    java.util.Arrays.fill(revents, 0, count, (short) 0);
                    return 0;
                }
                throw failure("poll(" + count + " descriptors)");
            }
            for (int i = 0; i < count; i++) {
                revents[i] = MEMORY.getShort(pollfds.address + (long) POLLFD_SIZE * i + 6);
            }
            return n;
        }
    }

    @Override
    public int openWakeup() throws IOException {
        int fd = EVENTFD.callInt(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (fd < 0) {
            throw failure("eventfd()");
        }
        return fd;
    }

    @Override
    public void wake(int wakeup) throws IOException {
        try (Memory one = new Memory(Long.BYTES)) {
            MEMORY.putLong(one.address, 1);
            long n;
            do {
                n = WRITE.call(wakeup, one.address, Long.BYTES);
            } while (n < 0 && errno() == EINTR);
            // EAGAIN: the counter is at its maximum, so it is readable already.
            if (n < 0 && errno() != EAGAIN) {
                throw failure("write(" + wakeup + ", eventfd)");
            }
        }
    }

    @Override
    public void clearWakeup(int wakeup) throws IOException {
        try (Memory counter = new Memory(Long.BYTES)) {
            long n;
            do {
                n = READ.call(wakeup, counter.address, Long.BYTES);
            } while (n < 0 && errno() == EINTR);
            if (n < 0 && errno() != EAGAIN) {
                throw failure("read(" + wakeup + ", eventfd)");
            }
        }
    }
}
