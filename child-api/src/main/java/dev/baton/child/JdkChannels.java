package dev.baton.child;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;

/** Wraps an inherited listening descriptor in the JDK's own ServerSocketChannel. */
final class JdkChannels {
    private static final String FLAGS =
            "--add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED";

    private JdkChannels() {}

    static ServerSocketChannel serverSocketChannel(int fd, InetSocketAddress address) throws IOException {
        try {
            FileDescriptor descriptor = new FileDescriptor();
            Field fdField = FileDescriptor.class.getDeclaredField("fd");
            fdField.setAccessible(true);
            fdField.setInt(descriptor, fd);
            Class<?> impl = Class.forName("sun.nio.ch.ServerSocketChannelImpl");
            Constructor<?> ctor = impl.getDeclaredConstructor(
                    SelectorProvider.class, ProtocolFamily.class, FileDescriptor.class, boolean.class);
            ctor.setAccessible(true);
            ProtocolFamily family = address != null && address.getAddress() instanceof Inet6Address
                    ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
            return (ServerSocketChannel) ctor.newInstance(SelectorProvider.provider(), family, descriptor, true);
        } catch (RuntimeException | ReflectiveOperationException e) {
            throw new IOException("cannot wrap fd " + fd + " as a JDK ServerSocketChannel (start the JVM with "
                    + FLAGS + "): " + e, e);
        }
    }

    /** The descriptor number behind a JDK channel (same flags needed). */
    static int fdOf(ServerSocketChannel channel) throws IOException {
        try {
            var getter = channel.getClass().getDeclaredMethod("getFDVal");
            getter.setAccessible(true);
            return (int) getter.invoke(channel);
        } catch (RuntimeException | ReflectiveOperationException e) {
            throw new IOException("cannot read the fd of a JDK ServerSocketChannel (start the JVM with "
                    + FLAGS + "): " + e, e);
        }
    }
}
