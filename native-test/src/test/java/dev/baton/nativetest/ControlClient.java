package dev.baton.nativetest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Raw bytes to batond's control socket, as a buggy or hostile client would send them. */
final class ControlClient {
    private ControlClient() {}

    /** Sends {@code request}, half-closes, returns everything batond answered. */
    static String send(Path control, byte[] request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(control));
            ByteBuffer out = ByteBuffer.wrap(request);
            while (out.hasRemaining()) {
                channel.write(out);
            }
            channel.shutdownOutput();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(4096);
            while (channel.read(in.clear()) > 0) {
                answer.write(in.array(), 0, in.position());
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    static String send(Path control, String request) throws IOException {
        return send(control, request.getBytes(StandardCharsets.UTF_8));
    }
}
