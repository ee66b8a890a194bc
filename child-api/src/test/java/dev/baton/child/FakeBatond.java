package dev.baton.child;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.baton.protocol.Addresses;
import dev.baton.protocol.Env;
import dev.baton.protocol.Frame;
import dev.baton.protocol.Keys;
import dev.baton.protocol.Linux;
import jnr.constants.platform.SocketLevel;
import jnr.posix.CmsgHdr;
import jnr.posix.MsgHdr;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;

/**
 * batond's side of the handoff on a real Unix socket, for one child: it takes the HELLO, sends
 * one TCP listener (a real descriptor, SCM_RIGHTS) and then queues every frame the child sends.
 */
final class FakeBatond implements AutoCloseable {
    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();

    private final Path dir;
    private final UnixServerSocketChannel server;
    private final Sockets.Bound listener;
    private final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
    /** What happened here, in order, for tests that check it against the child's side. */
    final List<String> events;
    private final Thread thread;
    private volatile UnixSocketChannel connection;

    FakeBatond(List<String> events) throws IOException {
        this.events = events;
        this.dir = Files.createTempDirectory("fake-batond");
        this.server = UnixServerSocketChannel.open();
        server.socket().bind(new UnixSocketAddress(dir.resolve("handoff.sock").toFile()));
        this.listener = Sockets.listen(new InetSocketAddress("127.0.0.1", 0));
        this.thread = new Thread(this::serve, "fake-batond");
        thread.setDaemon(true);
        thread.start();
    }

    /** The environment batond gives its child. */
    Map<String, String> env() {
        return Map.of(Env.BATON_SOCKET, dir.resolve("handoff.sock").toString(), Env.BATON_TOKEN, "token-1");
    }

    /** The next frame the child sent after the listeners; fails after 10 s. */
    Frame next() throws InterruptedException {
        Frame f = received.poll(10, TimeUnit.SECONDS);
        if (f == null) {
            throw new AssertionError("the child sent nothing within 10 s");
        }
        return f;
    }

    private void serve() {
        try {
            UnixSocketChannel c = server.accept();
            connection = c;
            InputStream in = Channels.newInputStream(c);
            Frame hello = Frame.read(in);
            if (!"token-1".equals(hello.get(Keys.TOKEN))) {
                throw new IOException("bad hello " + hello);
            }
            sendWithFd(c, Frame.of(Keys.GENERATION, "5", Keys.LISTENERS, "http",
                    Keys.ADDRESSES, Addresses.format(listener.address())), listener.fd());
            events.add("batond: listeners sent");
            while (true) {
                Frame f = Frame.read(in);
                if (f == null) {
                    return; // the child closed its end
                }
                if (f.has(Keys.READY)) {
                    events.add("batond: READY");
                }
                received.add(f);
            }
        } catch (IOException e) {
            // the child went away, or the test closed this batond
        }
    }

    private static void sendWithFd(UnixSocketChannel c, Frame frame, int fd) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocateDirect(Frame.MAX_LENGTH + 4);
        bytes.put(frame.encode()).flip();
        MsgHdr msg = POSIX.allocateMsgHdr();
        msg.setIov(new ByteBuffer[] {bytes});
        CmsgHdr control = msg.allocateControls(new int[] {Integer.BYTES})[0];
        control.setLevel(SocketLevel.SOL_SOCKET.intValue());
        control.setType(Linux.SCM_RIGHTS);
        control.setData(ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder()).putInt(0, fd));
        if (POSIX.sendmsg(c.getFD(), msg, 0) != bytes.remaining()) {
            throw new IOException("sendmsg failed: " + POSIX.strerror(POSIX.errno()));
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        UnixSocketChannel c = connection;
        if (c != null) {
            c.close();
        }
        ChildNative.close(listener.fd());
        Files.deleteIfExists(dir.resolve("handoff.sock"));
        Files.deleteIfExists(dir);
    }
}
