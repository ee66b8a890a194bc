package dev.baton.nativetest;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

import dev.baton.child.Baton;
import dev.baton.child.Listener;
import dev.baton.protocol.Addresses;

/**
 * A child that asks child-api for its listeners by name, as a service would:
 * {@code NamedListenerChild http admin} prints {@code named-listener NAME fd=N address=HOST:PORT}
 * for each, from the socket itself (getsockname), then exits 0. An unknown name ends it with
 * child-api's error and exit 1.
 */
public final class NamedListenerChild {
    private NamedListenerChild() {}

    public static void main(String[] names) throws Exception {
        Baton baton = Baton.connect();
        System.out.println("named-listener mode=" + baton.mode() + " pid=" + ProcessHandle.current().pid());
        for (String name : names) {
            Listener listener = baton.listener(name);
            try (ServerSocketChannel channel = listener.serverSocketChannel()) {
                System.out.println("named-listener " + name + " fd=" + listener.fd() + " address="
                        + Addresses.format((InetSocketAddress) channel.getLocalAddress()));
            }
        }
        System.out.flush();
        System.exit(0);
    }
}
