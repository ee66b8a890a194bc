package dev.baton.child;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import dev.baton.protocol.Linux;
import jnr.constants.platform.Errno;
import jnr.constants.platform.Fcntl;
import jnr.constants.platform.OpenFlags;
import jnr.constants.platform.SocketLevel;
import jnr.posix.CmsgHdr;
import jnr.posix.MsgHdr;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * Every native call of child-api: passing descriptors (SCM_RIGHTS, both ways) and descriptor flags.
 * EINTR is retried; failures read {@code op(..) failed: strerror}.
 */
final class ChildNative {
    /** The most descriptors one message may carry here. */
    static final int MAX_FDS = 64;

    /** sendmsg flag: EPIPE instead of SIGPIPE when batond has gone (value from the kernel's uapi). */
    private static final int MSG_NOSIGNAL = 0x4000;

    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();

    private ChildNative() {}

    /** What one recvmsg returned: the byte count (0 at end of stream) and any descriptors. */
    record Received(int bytes, List<Integer> fds) {}

    /**
     * Reads up to {@code buffer.remaining()} bytes into the direct buffer (advancing its
     * position) and collects any descriptors that came with them, close-on-exec.
     */
    static Received recvWithFds(int socket, ByteBuffer buffer) throws IOException {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("recvmsg needs a direct buffer");
        }
        ByteBuffer window = buffer.slice();
        MsgHdr msg = POSIX.allocateMsgHdr();
        msg.setIov(new ByteBuffer[] {window});
        msg.allocateControl(Integer.BYTES * MAX_FDS);
        int n;
        do {
            n = POSIX.recvmsg(socket, msg, Linux.MSG_CMSG_CLOEXEC);
        } while (n < 0 && POSIX.errno() == Errno.EINTR.intValue());
        if (n < 0) {
            throw new IOException("recvmsg(" + socket + ") failed: " + POSIX.strerror(POSIX.errno()));
        }
        List<Integer> fds = new ArrayList<>();
        for (CmsgHdr control : msg.getControls()) {
            if (control.getLevel() == SocketLevel.SOL_SOCKET.intValue() && control.getType() == Linux.SCM_RIGHTS) {
                ByteBuffer data = control.getData().order(ByteOrder.nativeOrder());
                while (data.remaining() >= Integer.BYTES) {
                    fds.add(data.getInt());
                }
            }
        }
        if ((msg.getFlags() & Linux.MSG_CTRUNC) != 0) {
            fds.forEach(ChildNative::close);
            throw new IOException("recvmsg(" + socket + ") failed: more than " + MAX_FDS + " descriptors (MSG_CTRUNC)");
        }
        buffer.position(buffer.position() + n);
        return new Received(n, fds);
    }

    /**
     * Writes from the direct buffer (advancing its position by what was written, at least one
     * byte) with {@code fds} attached in one SCM_RIGHTS message, in that order. The caller writes
     * any remainder without descriptors: they went with the first byte.
     */
    static int sendWithFds(int socket, ByteBuffer buffer, int[] fds) throws IOException {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("sendmsg needs a direct buffer");
        }
        if (fds.length == 0 || fds.length > MAX_FDS || !buffer.hasRemaining()) {
            throw new IllegalArgumentException("sendmsg with " + fds.length + " descriptors and "
                    + buffer.remaining() + " bytes: needs 1-" + MAX_FDS + " descriptors and a byte");
        }
        MsgHdr msg = POSIX.allocateMsgHdr();
        msg.setIov(new ByteBuffer[] {buffer.slice()});
        CmsgHdr control = msg.allocateControl(Integer.BYTES * fds.length);
        control.setLevel(SocketLevel.SOL_SOCKET.intValue());
        control.setType(Linux.SCM_RIGHTS);
        ByteBuffer data = ByteBuffer.allocateDirect(Integer.BYTES * fds.length).order(ByteOrder.nativeOrder());
        for (int fd : fds) {
            data.putInt(fd);
        }
        control.setData(data.flip());
        int n;
        do {
            n = POSIX.sendmsg(socket, msg, MSG_NOSIGNAL);
        } while (n < 0 && POSIX.errno() == Errno.EINTR.intValue());
        if (n < 0) {
            throw new IOException("sendmsg(" + socket + ") failed: " + POSIX.strerror(POSIX.errno()));
        }
        buffer.position(buffer.position() + n);
        return n;
    }

    static void setNonBlocking(int fd) {
        int flags = POSIX.fcntl(fd, Fcntl.F_GETFL);
        if (flags < 0 || POSIX.fcntlInt(fd, Fcntl.F_SETFL, flags | OpenFlags.O_NONBLOCK.intValue()) < 0) {
            throw new IllegalStateException("fcntl(" + fd + ", O_NONBLOCK) failed: " + POSIX.strerror(POSIX.errno()));
        }
    }

    static void setCloseOnExec(int fd) {
        int flags = POSIX.fcntl(fd, Fcntl.F_GETFD);
        if (flags < 0 || POSIX.fcntlInt(fd, Fcntl.F_SETFD, flags | Linux.FD_CLOEXEC) < 0) {
            throw new IllegalStateException("fcntl(" + fd + ", FD_CLOEXEC) failed: " + POSIX.strerror(POSIX.errno()));
        }
    }

    static void close(int fd) {
        POSIX.close(fd);
    }

    static int pid() {
        return POSIX.getpid();
    }
}
