package dev.baton.supervisor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jnr.constants.platform.Errno;
import jnr.constants.platform.Fcntl;
import jnr.constants.platform.SocketLevel;
import jnr.posix.CmsgHdr;
import jnr.posix.MsgHdr;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/** {@link Native} on Linux through jnr-posix. EINTR is retried; errors read {@code op(..) failed: strerror}. */
final class PosixNative implements Native {
    /** Linux: the SCM_RIGHTS control message type. */
    static final int SCM_RIGHTS = 1;
    /** Linux: no SIGPIPE when the peer has gone; the error comes back as EPIPE instead. */
    static final int MSG_NOSIGNAL = 0x4000;
    /** fcntl F_SETFD: close this descriptor on exec. */
    static final int FD_CLOEXEC = 1;
    /** waitpid: return at once when the process has not exited. */
    static final int WNOHANG = 1;

    /** Linux: getsockopt level and option for struct tcp_info. */
    static final int SOL_TCP = 6;
    static final int TCP_INFO = 11;
    /** struct tcp_info: u8 tcpi_state first; u32 tcpi_unacked at 24 and tcpi_sacked at 28, which for a
     *  listening socket are the accept queue's length and its limit (see tcp_get_info in the kernel). */
    static final int TCPI_STATE = 0;
    static final int TCPI_UNACKED = 24;
    static final int TCPI_SACKED = 28;
    static final int TCP_INFO_SIZE = 256;

    /** libc calls jnr-posix does not wrap. */
    public interface LibC {
        int getsockopt(int fd, int level, int optname, jnr.ffi.Pointer optval, jnr.ffi.byref.IntByReference optlen);
    }

    private static final LibC LIBC = jnr.ffi.LibraryLoader.create(LibC.class).load("c");

    // getNativePOSIX: plain getPOSIX() may fall back to a Java POSIX whose sendmsg does nothing.
    private final POSIX posix = POSIXFactory.getNativePOSIX();

    @Override
    public void sendWithFds(int socket, byte[] bytes, int[] fds) throws IOException {
        if (bytes.length == 0) {
            // A zero-byte stream message carries no descriptors.
            throw new IllegalArgumentException("sendmsg needs at least one payload byte");
        }
        ByteBuffer payload = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        int sent = sendmsg(socket, payload, fds);
        while (sent < bytes.length) {
            ByteBuffer rest = ByteBuffer.allocateDirect(bytes.length - sent).put(bytes, sent, bytes.length - sent).flip();
            sent += sendmsg(socket, rest, new int[0]);
        }
    }

    private int sendmsg(int socket, ByteBuffer payload, int[] fds) throws IOException {
        MsgHdr msg = posix.allocateMsgHdr();
        msg.setIov(new ByteBuffer[] {payload});
        if (fds.length > 0) {
            CmsgHdr control = msg.allocateControl(Integer.BYTES * fds.length);
            control.setLevel(SocketLevel.SOL_SOCKET.intValue());
            control.setType(SCM_RIGHTS);
            ByteBuffer data = ByteBuffer.allocateDirect(Integer.BYTES * fds.length).order(ByteOrder.nativeOrder());
            for (int fd : fds) {
                data.putInt(fd);
            }
            control.setData(data.flip());
        }
        int n;
        do {
            n = posix.sendmsg(socket, msg, MSG_NOSIGNAL);
        } while (n < 0 && posix.errno() == Errno.EINTR.intValue());
        if (n < 0) {
            throw new IOException("sendmsg(" + socket + ") failed: " + posix.strerror(posix.errno()));
        }
        return n;
    }

    @Override
    public boolean reap(long pid) {
        int[] status = new int[1];
        int rc;
        do {
            rc = posix.waitpid(pid, status, WNOHANG);
        } while (rc < 0 && posix.errno() == Errno.EINTR.intValue());
        return rc == pid;
    }

    @Override
    public int uid() {
        return posix.getuid();
    }

    @Override
    public void close(int fd) {
        posix.close(fd);
    }

    @Override
    public java.util.Optional<TcpInfo> tcpInfo(int fd) {
        jnr.ffi.Runtime runtime = jnr.ffi.Runtime.getRuntime(LIBC);
        jnr.ffi.Pointer info = jnr.ffi.Memory.allocateDirect(runtime, TCP_INFO_SIZE, true);
        jnr.ffi.byref.IntByReference length = new jnr.ffi.byref.IntByReference(TCP_INFO_SIZE);
        int rc;
        do {
            rc = LIBC.getsockopt(fd, SOL_TCP, TCP_INFO, info, length);
        } while (rc < 0 && runtime.getLastError() == Errno.EINTR.intValue());
        if (rc < 0 || length.intValue() < TCPI_SACKED + Integer.BYTES) {
            return java.util.Optional.empty(); // not a TCP socket (or not a socket at all)
        }
        return java.util.Optional.of(new TcpInfo(Byte.toUnsignedInt(info.getByte(TCPI_STATE)),
                Integer.toUnsignedLong(info.getInt(TCPI_UNACKED)), Integer.toUnsignedLong(info.getInt(TCPI_SACKED))));
    }

    @Override
    public void setCloseOnExec(int fd) throws IOException {
        if (posix.fcntlInt(fd, Fcntl.F_SETFD, FD_CLOEXEC) < 0) {
            throw new IOException("fcntl(" + fd + ", F_SETFD, FD_CLOEXEC) failed: " + posix.strerror(posix.errno()));
        }
    }
}
