package dev.baton.supervisor.os;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import dev.baton.protocol.Linux;

/**
 * {@link Native} on Linux (LP64: x86_64, aarch64): libc called through jffi, the small layer
 * under jnr-ffi. jnr-ffi and jnr-posix would load some 600 classes and generate more at run
 * time; batond makes a handful of calls and must idle small, so it lays out the few structs
 * itself. EINTR is retried; errors read {@code op(..) failed: strerror}. It refuses to load on a
 * platform whose layouts it does not know ({@link NativePlatform}). The sockets batond opens are
 * {@link LibcSockets}'.
 */
public final class LibcNative implements Native {
    static {
        // Before any libc function is looked up or any struct laid out: the offsets below are Linux LP64's.
        NativePlatform.require();
    }

    static final int EINTR = 4;
    static final int SOL_SOCKET = 1;
    /** Linux: getsockopt(SOL_SOCKET) for the peer's struct ucred {pid, uid, gid}. */
    static final int SO_PEERCRED = 17;
    /** Linux: no SIGPIPE when the peer has gone; the error comes back as EPIPE instead. */
    static final int MSG_NOSIGNAL = 0x4000;
    static final int F_GETFD = 1;
    static final int F_SETFD = 2;
    /** waitpid: return at once when the process has not exited. */
    static final int WNOHANG = 1;
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    /** struct sockaddr_un: sa_family, then sun_path[108]. */
    static final int SUN_PATH_MAX = 108;
    static final int AF_INET6 = 10;

    /** Linux: getsockopt level and option for struct tcp_info. */
    static final int SOL_TCP = 6;
    static final int TCP_INFO = 11;
    /** struct tcp_info: u8 tcpi_state first; u32 tcpi_unacked at 24 and tcpi_sacked at 28, which for a
     *  listening socket are the accept queue's length and its limit (see tcp_get_info in the kernel). */
    static final int TCPI_STATE = 0;
    static final int TCPI_UNACKED = 24;
    static final int TCPI_SACKED = 28;
    static final int TCP_INFO_SIZE = 256;

    /** struct msghdr (56 bytes): msg_iov at 16, msg_iovlen at 24, msg_control at 32, msg_controllen at 40. */
    static final int MSGHDR_SIZE = 56;
    /** struct cmsghdr: size_t cmsg_len, int cmsg_level, int cmsg_type, then the data at 16. */
    static final int CMSGHDR_SIZE = 16;
    /** struct sockaddr_storage is 128 bytes. */
    static final int SOCKADDR_SIZE = 128;

    static final MemoryIO MEMORY = MemoryIO.getInstance();

    private static final Function SENDMSG = Function.of("sendmsg", Type.SLONG, Type.SINT, Type.POINTER, Type.SINT);
    private static final Function WAITPID = Function.of("waitpid", Type.SINT, Type.SINT, Type.POINTER, Type.SINT);
    private static final Function GETUID = Function.of("getuid", Type.UINT);
    private static final Function CLOSE = Function.of("close", Type.SINT, Type.SINT);
    private static final Function FCNTL = Function.variadic("fcntl", 2, Type.SINT, Type.SINT, Type.SINT, Type.SINT);
    private static final Function GETSOCKOPT =
            Function.of("getsockopt", Type.SINT, Type.SINT, Type.SINT, Type.SINT, Type.POINTER, Type.POINTER);
    private static final Function GETSOCKNAME = Function.of("getsockname", Type.SINT, Type.SINT, Type.POINTER, Type.POINTER);
    private static final Function SOCKET = Function.of("socket", Type.SINT, Type.SINT, Type.SINT, Type.SINT);
    private static final Function SENDTO =
            Function.of("sendto", Type.SLONG, Type.SINT, Type.POINTER, Type.SLONG, Type.SINT, Type.POINTER, Type.SINT);
    private static final Function STRERROR = Function.of("strerror", Type.POINTER, Type.SINT);
    private static final Function KILL = Function.of("kill", Type.SINT, Type.SINT, Type.SINT);
    /** setpriority(which, who, prio): with PRIO_PROCESS and a thread id, that one thread's nice value. */
    private static final Function SETPRIORITY = Function.of("setpriority", Type.SINT, Type.SINT, Type.UINT, Type.SINT);
    private static final Function POSIX_SPAWNP = Function.of("posix_spawnp", Type.SINT,
            Type.POINTER, Type.POINTER, Type.POINTER, Type.POINTER, Type.POINTER, Type.POINTER);
    private static final Function SPAWNATTR_INIT = Function.of("posix_spawnattr_init", Type.SINT, Type.POINTER);
    private static final Function SPAWNATTR_DESTROY = Function.of("posix_spawnattr_destroy", Type.SINT, Type.POINTER);
    private static final Function SPAWNATTR_SETFLAGS =
            Function.of("posix_spawnattr_setflags", Type.SINT, Type.POINTER, Type.SSHORT);
    private static final Function SPAWNATTR_SETSIGMASK =
            Function.of("posix_spawnattr_setsigmask", Type.SINT, Type.POINTER, Type.POINTER);
    private static final Function SPAWNATTR_SETSIGDEFAULT =
            Function.of("posix_spawnattr_setsigdefault", Type.SINT, Type.POINTER, Type.POINTER);
    private static final Function MEMFD_CREATE = Function.optional("memfd_create", Type.SINT, Type.POINTER, Type.UINT);
    /** syscall(2): pidfd_open has no glibc wrapper before 2.36. */
    private static final Function SYSCALL = Function.variadic("syscall", 1, Type.SLONG, Type.SLONG, Type.SLONG, Type.SLONG);
    private static final Function EXECVE = Function.of("execve", Type.SINT, Type.POINTER, Type.POINTER, Type.POINTER);
    private static final Function PTHREAD_SIGMASK = Function.of("pthread_sigmask", Type.SINT, Type.SINT, Type.POINTER, Type.POINTER);
    private static final Function SIGFILLSET = Function.of("sigfillset", Type.SINT, Type.POINTER);
    private static final Function SIGEMPTYSET = Function.of("sigemptyset", Type.SINT, Type.POINTER);
    private static final Function FILE_ACTIONS_INIT =
            Function.of("posix_spawn_file_actions_init", Type.SINT, Type.POINTER);
    private static final Function FILE_ACTIONS_DESTROY =
            Function.of("posix_spawn_file_actions_destroy", Type.SINT, Type.POINTER);
    private static final Function FILE_ACTIONS_ADDCLOSE =
            Function.of("posix_spawn_file_actions_addclose", Type.SINT, Type.POINTER, Type.SINT);
    /** glibc 2.34 and later; older ones get one close action per open descriptor instead. */
    private static final Function FILE_ACTIONS_ADDCLOSEFROM = Function.optional(
            "posix_spawn_file_actions_addclosefrom_np", Type.SINT, Type.POINTER, Type.SINT);

    /** posix_spawnattr_setflags: the child calls setsid(), so it leads a new session and process group. */
    static final int POSIX_SPAWN_SETSID = 0x80;
    static final int POSIX_SPAWN_SETSIGDEF = 0x04;
    static final int POSIX_SPAWN_SETSIGMASK = 0x08;
    /** glibc's posix_spawnattr_t is 336 bytes, posix_spawn_file_actions_t 80, sigset_t 128: room to spare. */
    static final int SPAWN_STRUCT_SPACE = 512;
    static final int SIGSET_SIZE = 128;
    static final int ESRCH = 3;
    static final int MFD_CLOEXEC = 1;
    static final int SIG_SETMASK = 2;
    static final int EPERM = 1;
    static final int ENOSYS = 38;
    /** pidfd_open's number: the same on x86_64 and aarch64 (the unified syscall table from 5.x on). */
    static final long SYS_PIDFD_OPEN = 434;
    static final int PRIO_PROCESS = 0;

    /** One libc function: its address and call signature; errno is saved after every call. */
    record Function(String name, long address, CallContext context) {
        static Function of(String name, Type result, Type... params) {
            return new Function(name, address(name),
                    CallContext.getCallContext(result, params, CallingConvention.DEFAULT, true));
        }

        /** A variadic function (fcntl): its first {@code fixed} parameters are the declared ones. */
        static Function variadic(String name, int fixed, Type result, Type... params) {
            return new Function(name, address(name),
                    CallContext.getCallContext(result, fixed, params, CallingConvention.DEFAULT, true));
        }

        /** A function libc may lack (newer than the oldest glibc batond runs on): null then. */
        static Function optional(String name, Type result, Type... params) {
            long address = Library.getDefault().getSymbolAddress(name);
            return address == 0 ? null : new Function(name, address,
                    CallContext.getCallContext(result, params, CallingConvention.DEFAULT, true));
        }

        private static long address(String name) {
            long address = Library.getDefault().getSymbolAddress(name);
            if (address == 0) {
                throw new UnsatisfiedLinkError("libc has no " + name + ": " + Library.getLastError());
            }
            return address;
        }

        /** Calls with integer and pointer arguments; the raw result. */
        long call(long... args) {
            Invoker invoker = Invoker.getInstance();
            return switch (args.length) {
                case 0 -> invoker.invokeN0(context, address);
                case 1 -> invoker.invokeN1(context, address, args[0]);
                case 2 -> invoker.invokeN2(context, address, args[0], args[1]);
                case 3 -> invoker.invokeN3(context, address, args[0], args[1], args[2]);
                case 4 -> invoker.invokeN4(context, address, args[0], args[1], args[2], args[3]);
                case 5 -> invoker.invokeN5(context, address, args[0], args[1], args[2], args[3], args[4]);
                case 6 -> invoker.invokeN6(context, address, args[0], args[1], args[2], args[3], args[4], args[5]);
                default -> throw new IllegalArgumentException(name + ": too many arguments");
            };
        }

        /** For functions returning int: the result as int (jffi widens it without sign). */
        int callInt(long... args) {
            return (int) call(args);
        }
    }

    static int errno() {
        return LastError.getInstance().get();
    }

    static String strerror(int errno) {
        long message = STRERROR.call(errno);
        return message == 0 ? "errno " + errno
                : new String(MEMORY.getZeroTerminatedByteArray(message), StandardCharsets.UTF_8);
    }

    static IOException failure(String call) {
        return new IOException(call + " failed: " + strerror(errno()));
    }

    /** Native memory for one call, zeroed, freed by close(). */
    static final class Memory implements AutoCloseable {
        final long address;

        Memory(long size) {
            address = MEMORY.allocateMemory(size, true);
            if (address == 0) {
                throw new OutOfMemoryError("cannot allocate " + size + " bytes of native memory");
            }
        }

        @Override
        public void close() {
            MEMORY.freeMemory(address);
        }
    }

    private static final NativeSockets SOCKETS = new LibcSockets();

    @Override
    public NativeSockets sockets() {
        return SOCKETS;
    }

    @Override
    public void sendWithFds(int socket, byte[] bytes, int[] fds) throws IOException {
        if (bytes.length == 0) {
            // A zero-byte stream message carries no descriptors.
            throw new IllegalArgumentException("sendmsg needs at least one payload byte");
        }
        int controlSpace = CMSGHDR_SIZE + (Integer.BYTES * fds.length + 7) / 8 * 8;
        try (Memory payload = new Memory(bytes.length);
             Memory iov = new Memory(16);
             Memory control = new Memory(controlSpace);
             Memory msg = new Memory(MSGHDR_SIZE)) {
            MEMORY.putByteArray(payload.address, bytes, 0, bytes.length);
            MEMORY.putAddress(msg.address + 16, iov.address);
            MEMORY.putLong(msg.address + 24, 1);
            if (fds.length > 0) {
                MEMORY.putLong(control.address, CMSGHDR_SIZE + (long) Integer.BYTES * fds.length);
                MEMORY.putInt(control.address + 8, SOL_SOCKET);
                MEMORY.putInt(control.address + 12, Linux.SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++) {
                    MEMORY.putInt(control.address + CMSGHDR_SIZE + (long) Integer.BYTES * i, fds[i]);
                }
                MEMORY.putAddress(msg.address + 32, control.address);
                MEMORY.putLong(msg.address + 40, controlSpace);
            }
            int sent = 0;
            while (sent < bytes.length) {
                MEMORY.putAddress(iov.address, payload.address + sent);
                MEMORY.putLong(iov.address + 8, bytes.length - sent);
                long n;
                do {
                    n = SENDMSG.call(socket, msg.address, MSG_NOSIGNAL);
                } while (n < 0 && errno() == EINTR);
                if (n < 0) {
                    throw failure("sendmsg(" + socket + ")");
                }
                sent += (int) n;
                // The descriptors went with the first byte; the rest of the frame goes without them.
                MEMORY.putAddress(msg.address + 32, 0);
                MEMORY.putLong(msg.address + 40, 0);
            }
        }
    }

    @Override
    public boolean reap(long pid) {
        int rc;
        do {
            rc = WAITPID.callInt(pid, 0, WNOHANG);
        } while (rc < 0 && errno() == EINTR);
        return rc == pid;
    }

    @Override
    public int uid() {
        return GETUID.callInt();
    }

    @Override
    public void close(int fd) {
        CLOSE.callInt(fd);
    }

    @Override
    public Optional<TcpInfo> tcpInfo(int fd) {
        try (Memory info = new Memory(TCP_INFO_SIZE); Memory length = new Memory(Integer.BYTES)) {
            MEMORY.putInt(length.address, TCP_INFO_SIZE);
            int rc;
            do {
                rc = GETSOCKOPT.callInt(fd, SOL_TCP, TCP_INFO, info.address, length.address);
            } while (rc < 0 && errno() == EINTR);
            if (rc < 0 || MEMORY.getInt(length.address) < TCPI_SACKED + Integer.BYTES) {
                return Optional.empty(); // not a TCP socket (or not a socket at all)
            }
            return Optional.of(new TcpInfo(Byte.toUnsignedInt(MEMORY.getByte(info.address + TCPI_STATE)),
                    Integer.toUnsignedLong(MEMORY.getInt(info.address + TCPI_UNACKED)),
                    Integer.toUnsignedLong(MEMORY.getInt(info.address + TCPI_SACKED))));
        }
    }

    @Override
    public Peer peer(int socket) throws IOException {
        try (Memory ucred = new Memory(12); Memory length = new Memory(Integer.BYTES)) {
            MEMORY.putInt(length.address, 12);
            if (GETSOCKOPT.callInt(socket, SOL_SOCKET, SO_PEERCRED, ucred.address, length.address) < 0) {
                throw failure("getsockopt(" + socket + ", SO_PEERCRED)");
            }
            return new Peer(MEMORY.getInt(ucred.address), MEMORY.getInt(ucred.address + 4));
        }
    }

    @Override
    public InetSocketAddress localAddress(int fd) throws IOException {
        try (Memory address = new Memory(SOCKADDR_SIZE); Memory length = new Memory(Integer.BYTES)) {
            MEMORY.putInt(length.address, SOCKADDR_SIZE);
            if (GETSOCKNAME.callInt(fd, address.address, length.address) < 0) {
                throw failure("getsockname(" + fd + ")");
            }
            // sa_family in host order, then the port in network order; the address follows
            // (sockaddr_in at 4, sockaddr_in6 at 8).
            int family = Short.toUnsignedInt(MEMORY.getShort(address.address));
            int port = (Byte.toUnsignedInt(MEMORY.getByte(address.address + 2)) << 8)
                    | Byte.toUnsignedInt(MEMORY.getByte(address.address + 3));
            byte[] ip;
            if (family == AF_INET) {
                ip = new byte[4];
                MEMORY.getByteArray(address.address + 4, ip, 0, 4);
            } else if (family == AF_INET6) {
                ip = new byte[16];
                MEMORY.getByteArray(address.address + 8, ip, 0, 16);
            } else {
                throw new IOException("fd " + fd + " is not an IPv4 or IPv6 socket (family " + family + ")");
            }
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        }
    }

    @Override
    public void sendDatagram(String socketPath, byte[] message) throws IOException {
        sendDatagram(socketPath, message, new int[0]);
    }

    @Override
    public void sendDatagram(String socketPath, byte[] message, int[] fds) throws IOException {
        // A leading '@' names an abstract socket: its address starts with a NUL byte instead.
        boolean isAbstract = socketPath.startsWith("@");
        byte[] path = (isAbstract ? socketPath.substring(1) : socketPath).getBytes(StandardCharsets.UTF_8);
        if (path.length + 1 > SUN_PATH_MAX) {
            throw new IOException("socket path too long (" + path.length + " bytes): " + socketPath);
        }
        int fd = SOCKET.callInt(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw failure("socket(AF_UNIX, SOCK_DGRAM)");
        }
        int controlSpace = fds.length == 0 ? 0 : CMSGHDR_SIZE + (Integer.BYTES * fds.length + 7) / 8 * 8;
        try (Memory address = new Memory(2 + SUN_PATH_MAX); Memory payload = new Memory(Math.max(1, message.length));
             Memory iov = new Memory(16); Memory control = new Memory(Math.max(1, controlSpace));
             Memory msg = new Memory(MSGHDR_SIZE)) {
            MEMORY.putShort(address.address, (short) AF_UNIX);
            MEMORY.putByteArray(address.address + 2 + (isAbstract ? 1 : 0), path, 0, path.length);
            // Abstract names are exactly as long as given; a path ends at its NUL.
            int length = 2 + 1 + path.length;
            MEMORY.putByteArray(payload.address, message, 0, message.length);
            long n;
            if (fds.length == 0) {
                do {
                    n = SENDTO.call(fd, payload.address, message.length, MSG_NOSIGNAL, address.address, length);
                } while (n < 0 && errno() == EINTR);
                if (n < 0) {
                    throw failure("sendto(" + socketPath + ")");
                }
                return;
            }
            // sendmsg with msg_name: the datagram and its descriptors (SCM_RIGHTS) in one message.
            MEMORY.putAddress(msg.address, address.address);
            MEMORY.putInt(msg.address + 8, length);
            MEMORY.putAddress(iov.address, payload.address);
            MEMORY.putLong(iov.address + 8, message.length);
            MEMORY.putAddress(msg.address + 16, iov.address);
            MEMORY.putLong(msg.address + 24, 1);
            MEMORY.putLong(control.address, CMSGHDR_SIZE + (long) Integer.BYTES * fds.length);
            MEMORY.putInt(control.address + 8, SOL_SOCKET);
            MEMORY.putInt(control.address + 12, Linux.SCM_RIGHTS);
            for (int i = 0; i < fds.length; i++) {
                MEMORY.putInt(control.address + CMSGHDR_SIZE + (long) Integer.BYTES * i, fds[i]);
            }
            MEMORY.putAddress(msg.address + 32, control.address);
            MEMORY.putLong(msg.address + 40, controlSpace);
            do {
                n = SENDMSG.call(fd, msg.address, MSG_NOSIGNAL);
            } while (n < 0 && errno() == EINTR);
            if (n < 0) {
                throw failure("sendmsg(" + socketPath + ")");
            }
        } finally {
            CLOSE.callInt(fd);
        }
    }

    @Override
    public void setCloseOnExec(int fd) throws IOException {
        int flags = FCNTL.callInt(fd, F_GETFD, 0);
        if (flags < 0 || FCNTL.callInt(fd, F_SETFD, flags | Linux.FD_CLOEXEC) < 0) {
            throw failure("fcntl(" + fd + ", F_SETFD, FD_CLOEXEC)");
        }
    }

    @Override
    public long spawn(java.util.List<String> argv, java.util.List<String> env) throws IOException {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("spawn: empty command");
        }
        try (Strings args = new Strings(argv); Strings environment = new Strings(env);
             Memory attr = new Memory(SPAWN_STRUCT_SPACE); Memory actions = new Memory(SPAWN_STRUCT_SPACE);
             Memory mask = new Memory(SIGSET_SIZE); Memory defaults = new Memory(SIGSET_SIZE);
             Memory pid = new Memory(Integer.BYTES)) {
            check(SPAWNATTR_INIT.callInt(attr.address), "posix_spawnattr_init");
            check(FILE_ACTIONS_INIT.callInt(actions.address), "posix_spawn_file_actions_init");
            try {
                // A thread of the JVM may block signals, and the JVM ignores some: the child starts clean.
                SIGEMPTYSET.callInt(mask.address);
                SIGFILLSET.callInt(defaults.address);
                check(SPAWNATTR_SETSIGMASK.callInt(attr.address, mask.address), "posix_spawnattr_setsigmask");
                check(SPAWNATTR_SETSIGDEFAULT.callInt(attr.address, defaults.address), "posix_spawnattr_setsigdefault");
                check(SPAWNATTR_SETFLAGS.callInt(attr.address, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK),
                        "posix_spawnattr_setflags");
                // The JVM opens most descriptors without close-on-exec (the JDK's own launcher closes
                // them in the child): the child gets 0, 1 and 2 and nothing else of batond's.
                if (FILE_ACTIONS_ADDCLOSEFROM != null) {
                    check(FILE_ACTIONS_ADDCLOSEFROM.callInt(actions.address, 3), "posix_spawn_file_actions_addclosefrom_np");
                } else {
                    for (int fd : openDescriptors()) {
                        if (fd > 2) {
                            check(FILE_ACTIONS_ADDCLOSE.callInt(actions.address, fd), "posix_spawn_file_actions_addclose");
                        }
                    }
                }
                // posix_spawnp returns the error (glibc reports a failed exec too) instead of setting errno.
                int rc = POSIX_SPAWNP.callInt(pid.address, args.pointer(0), actions.address, attr.address,
                        args.array(), environment.array());
                if (rc != 0) {
                    throw new IOException(strerror(rc));
                }
                return MEMORY.getInt(pid.address);
            } finally {
                FILE_ACTIONS_DESTROY.callInt(actions.address);
                SPAWNATTR_DESTROY.callInt(attr.address);
            }
        }
    }

    private static void check(int rc, String call) throws IOException {
        if (rc != 0) {
            throw new IOException(call + " failed: " + strerror(rc));
        }
    }

    /** The descriptors open in batond now, from /proc/self/fd (for libcs without closefrom). */
    private static int[] openDescriptors() throws IOException {
        try (java.util.stream.Stream<java.nio.file.Path> entries = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return entries.mapToInt(p -> Integer.parseInt(p.getFileName().toString())).toArray();
        }
    }

    @Override
    public int awaitExit(long pid) throws IOException {
        try (Memory status = new Memory(Integer.BYTES)) {
            int rc;
            do {
                rc = WAITPID.callInt(pid, status.address, 0);
            } while (rc < 0 && errno() == EINTR);
            if (rc < 0) {
                throw failure("waitpid(" + pid + ")");
            }
            int s = MEMORY.getInt(status.address);
            int signal = s & 0x7f;
            return signal == 0 ? (s >> 8) & 0xff : 128 + signal;
        }
    }

    @Override
    public boolean signalGroup(long pgid, int signal) throws IOException {
        if (pgid <= 1) {
            throw new IllegalArgumentException("not a process group of batond's: " + pgid); // kill(-1) is everyone
        }
        if (KILL.callInt(-pgid, signal) == 0) {
            return true;
        }
        int error = errno();
        if (error == ESRCH) {
            return false;
        }
        throw new IOException("kill(-" + pgid + ", " + signal + ") failed: " + strerror(error));
    }

    @Override
    public int setThreadNice(long tid, int nice) {
        if (tid <= 0) {
            throw new IllegalArgumentException("not a thread id: " + tid); // 0 would be the calling thread
        }
        return SETPRIORITY.callInt(PRIO_PROCESS, tid, nice) == 0 ? 0 : errno();
    }

    /** NUL-terminated strings in native memory and the NULL-terminated array of pointers to them. */
    private static final class Strings implements AutoCloseable {
        private final Memory block;
        private final Memory pointers;

        Strings(java.util.List<String> strings) {
            byte[][] bytes = new byte[strings.size()][];
            long total = 1;
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = strings.get(i).getBytes(StandardCharsets.UTF_8);
                for (byte b : bytes[i]) {
                    if (b == 0) {
                        throw new IllegalArgumentException("a NUL byte in an argument or variable: " + strings.get(i));
                    }
                }
                total += bytes[i].length + 1;
            }
            block = new Memory(total);
            pointers = new Memory((long) (bytes.length + 1) * Long.BYTES);
            long at = block.address;
            for (int i = 0; i < bytes.length; i++) {
                MEMORY.putByteArray(at, bytes[i], 0, bytes[i].length); // the zeroed memory ends it
                MEMORY.putAddress(pointers.address + (long) i * Long.BYTES, at);
                at += bytes[i].length + 1;
            }
        }

        long array() {
            return pointers.address;
        }

        long pointer(int i) {
            return MEMORY.getAddress(pointers.address + (long) i * Long.BYTES);
        }

        @Override
        public void close() {
            pointers.close();
            block.close();
        }
    }

    @Override
    public int pidfdOpen(long pid) throws IOException {
        long fd = SYSCALL.call(SYS_PIDFD_OPEN, pid, 0);
        if (fd < 0) {
            int error = errno();
            if (error == ENOSYS) {
                return -1;
            }
            throw new IOException("pidfd_open(" + pid + ") failed: " + strerror(error));
        }
        return (int) fd;
    }

    @Override
    public int memfd(String name) throws IOException {
        if (MEMFD_CREATE == null) {
            throw new IOException("memfd_create is not in this libc (glibc 2.27 or later has it)");
        }
        try (Strings n = new Strings(java.util.List.of(name))) {
            int fd = MEMFD_CREATE.callInt(n.pointer(0), MFD_CLOEXEC);
            if (fd < 0) {
                throw failure("memfd_create(" + name + ")");
            }
            return fd;
        }
    }

    @Override
    public void setInheritedOnExec(int fd, boolean inherited) throws IOException {
        int flags = FCNTL.callInt(fd, F_GETFD, 0);
        int wanted = inherited ? flags & ~Linux.FD_CLOEXEC : flags | Linux.FD_CLOEXEC;
        if (flags < 0 || FCNTL.callInt(fd, F_SETFD, wanted) < 0) {
            throw failure("fcntl(" + fd + ", F_SETFD, " + (inherited ? "0" : "FD_CLOEXEC") + ")");
        }
    }

    @Override
    public void exec(String path, java.util.List<String> argv, java.util.List<String> env) throws IOException {
        try (Strings file = new Strings(java.util.List.of(path)); Strings args = new Strings(argv);
             Strings environment = new Strings(env); Memory none = new Memory(SIGSET_SIZE)) {
            // The calling JVM thread blocks some signals (SIGQUIT); a mask survives execve.
            SIGEMPTYSET.callInt(none.address);
            PTHREAD_SIGMASK.callInt(SIG_SETMASK, none.address, 0);
            EXECVE.callInt(file.pointer(0), args.array(), environment.array());
            throw failure("execve(" + path + ")");
        }
    }
}
