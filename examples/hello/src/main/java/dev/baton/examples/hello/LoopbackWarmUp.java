package dev.baton.examples.hello;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Locale;

import dev.baton.child.NettyChannels;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * hello's warm-up over a real socket: a private server on 127.0.0.1, port 0, set up as the
 * service's own (same loops, transport, pipeline and handler class: {@link HelloServer#loopbackWarmUp}),
 * so that accepting, reading and writing are compiled before READY for the threads and classes
 * that will serve. It is never the service's listener, where another generation may be serving;
 * each round has a server channel of its own, closed after it, and the loops go on to serve.
 *
 * <p>Each {@link #call()} is one round in the shapes clients use, on several connections at once:
 * the JIT compiles the branches a warm-up took, and a branch it never took (a second request in
 * flight, a keep-alive connection, a contended counter) costs a deoptimisation and a recompile at
 * the first real request that takes it, in the first milliseconds after READY. One request at a
 * time, all with {@code Connection: close}, measured 10 to 17 such traps there.
 */
final class LoopbackWarmUp {
    private static final byte[] KEEP_ALIVE = "GET / HTTP/1.1\r\nHost: warm-up\r\n\r\n".getBytes(US_ASCII);
    private static final byte[] CLOSE = "GET / HTTP/1.1\r\nHost: warm-up\r\nConnection: close\r\n\r\n".getBytes(US_ASCII);
    private static final int TIMEOUT_MS = 5_000;
    /** hello's answers are a few hundred bytes; a head past this is not hello's. */
    private static final int MAX_HEAD_BYTES = 8_192;

    private final ServerBootstrap bootstrap;
    private final int parallel;

    private LoopbackWarmUp(ServerBootstrap bootstrap, int parallel) {
        this.bootstrap = bootstrap;
        this.parallel = parallel;
    }

    /**
     * Each round binds {@code bootstrap} (loops and handlers set, no channel yet) to a loopback
     * port of its own and opens {@code parallel} connections to it at once (hello: more than it
     * has serving loops, {@link HelloServer#warmUpConnections}).
     */
    static LoopbackWarmUp over(ServerBootstrap bootstrap, int parallel) {
        if (parallel < 1) {
            throw new IllegalArgumentException("a warm-up round needs at least one connection, not " + parallel);
        }
        return new LoopbackWarmUp(bootstrap.channel(NettyChannels.epollAvailable()
                ? EpollServerSocketChannel.class : NioServerSocketChannel.class), parallel);
    }

    /** Requests one {@link #call()} makes. */
    int requestsPerCall() {
        return 2 * parallel;
    }

    /**
     * One round on a server channel of its own, closed after it: {@code parallel} connections
     * opened together; on each a keep-alive request, all sent before any answer is read, so the
     * loops serve them side by side; then on each a {@code Connection: close} request, which the
     * server ends. Throws unless every answer is a 200.
     *
     * <p>A server channel per round, because the listeners' channels are made, registered and
     * first accept on just before READY, and the warm-up's is closed there: code that only ever
     * saw accepted connections in those shared paths (registration, the pipeline's setup, the
     * first accept's buffer allocator, deregistration) was thrown away at those steps, some 20
     * deoptimisations in the 40 ms before READY, and its event loops ran slower code for about
     * 120 ms after it, until the JIT had compiled them again.
     */
    void call() throws IOException, InterruptedException {
        Channel server = bootstrap.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        try {
            round((InetSocketAddress) server.localAddress());
        } finally {
            server.close().sync();
        }
    }

    private void round(InetSocketAddress address) throws IOException {
        Socket[] sockets = new Socket[parallel];
        InputStream[] answers = new InputStream[parallel];
        try {
            for (int i = 0; i < parallel; i++) {
                sockets[i] = new Socket();
                sockets[i].connect(address, TIMEOUT_MS);
                sockets[i].setSoTimeout(TIMEOUT_MS);
                answers[i] = new BufferedInputStream(sockets[i].getInputStream());
            }
            for (Socket socket : sockets) {
                socket.getOutputStream().write(KEEP_ALIVE);
            }
            for (InputStream in : answers) {
                readKeptAnswer(in);
            }
            for (Socket socket : sockets) {
                socket.getOutputStream().write(CLOSE);
            }
            for (InputStream in : answers) {
                byte[] answer = in.readAllBytes(); // Connection: close: the server ends it
                requireOk(new String(answer, 0, Math.min(answer.length, 16), US_ASCII));
            }
        } finally {
            for (Socket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }

    /** Reads one answer on a connection that stays open (buffered: a byte at a time): its head, then Content-Length bytes of body. */
    private static void readKeptAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0; // of "\r\n\r\n"
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("warm-up request over loopback: connection closed after "
                        + head.size() + " bytes of a keep-alive answer");
            }
            if (head.size() == MAX_HEAD_BYTES) {
                throw new IOException("warm-up request over loopback: answer head longer than " + MAX_HEAD_BYTES + " bytes");
            }
            head.write(b);
            matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : b == '\r' ? 1 : 0;
        }
        String text = head.toString(US_ASCII);
        requireOk(text);
        String length = null;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = line.substring("content-length:".length()).trim();
            }
        }
        if (length == null || length.isEmpty() || length.length() > 9 || !length.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IOException("warm-up request over loopback: keep-alive answer without a usable Content-Length ("
                    + length + ")");
        }
        in.skipNBytes(Integer.parseInt(length)); // EOFException if the connection ends first
    }

    private static void requireOk(String answer) throws IOException {
        if (!answer.startsWith("HTTP/1.1 200 ")) {
            String status = answer.lines().findFirst().orElse("").strip();
            throw new IOException("warm-up request over loopback: answered '" + status + "', not 200");
        }
    }
}
