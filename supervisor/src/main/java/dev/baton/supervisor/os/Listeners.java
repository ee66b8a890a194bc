package dev.baton.supervisor.os;

import dev.baton.supervisor.lifecycle.Listener;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import dev.baton.protocol.Addresses;
import dev.baton.protocol.ListenFds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How batond gets its listening sockets: bound from {@code --listen}, or adopted from systemd. */
public final class Listeners {
    /** A listener the command line asks for: its name and where to bind it. */
    public record Wanted(String name, InetSocketAddress address) {}

    private static final Logger LOG = LoggerFactory.getLogger("batond");

    /** The accept queue length asked for; the kernel caps it at net.core.somaxconn. */
    static final int BACKLOG = 4096;

    private Listeners() {}

    /**
     * Binds with batond's own sockets ({@link NativeSockets#listenTcp}: close-on-exec, SO_REUSEADDR,
     * dual-stack where the host has IPv6, as the JDK and Netty both do by default), so that batond
     * owns the descriptor it passes to children.
     */
    static Listener bind(Wanted spec, Native nat) throws IOException {
        InetSocketAddress address;
        int fd;
        try {
            fd = nat.sockets().listenTcp(spec.address(), BACKLOG);
        } catch (IOException e) {
            throw new IOException("cannot listen on " + Addresses.format(spec.address()) + ": " + e.getMessage()
                    + (e.getMessage() != null && e.getMessage().contains("in use")
                    ? " (another process holds the port)" : ""), e);
        }
        try {
            address = nat.localAddress(fd);
        } catch (IOException e) {
            nat.close(fd);
            throw new IOException("cannot listen on " + Addresses.format(spec.address()) + ": " + e.getMessage(), e);
        }
        Listener l = new Listener(spec.name(), address, fd);
        LOG.info("listener {} bound to {} fd={}", l.name(), Addresses.format(l.address()), l.fd());
        return l;
    }

    /** The sockets systemd passed: each must be a listening TCP socket; marked close-on-exec. */
    public static List<Listener> adopt(List<ListenFds.Passed> passed, Native nat, KernelSockets kernel) throws IOException {
        if (passed.isEmpty()) {
            return List.of();
        }
        List<Listener> adopted = new ArrayList<>();
        for (ListenFds.Passed p : passed) {
            if (!kernel.isListening(p.fd())) {
                throw new IOException("fd " + p.fd() + " (" + p.name() + ") is not a listening TCP socket: "
                        + "batond adopts ListenStream= sockets only, without Accept=yes");
            }
            InetSocketAddress address = nat.localAddress(p.fd());
            nat.setCloseOnExec(p.fd());
            Listener l = new Listener(p.name(), address, p.fd());
            LOG.info("listener {} adopted from systemd: {} fd={}", l.name(), Addresses.format(address), l.fd());
            adopted.add(l);
        }
        return adopted;
    }

    /**
     * Binds each --listen that no adopted socket of the same name satisfies, adding it to
     * {@code listeners}; fails when there is no listener at all in the end.
     */
    public static void bindTheRest(List<Wanted> specs, List<Listener> listeners, Native nat) throws IOException {
        for (Wanted spec : specs) {
            Listener adopted = named(listeners, spec.name());
            if (adopted != null) {
                checkSame(spec, adopted);
            } else {
                listeners.add(bind(spec, nat));
            }
        }
        if (listeners.isEmpty()) {
            throw new IOException("no listeners: give --listen [NAME=]HOST:PORT, or start batond through systemd "
                    + "socket activation (LISTEN_FDS)");
        }
    }

    private static Listener named(List<Listener> listeners, String name) {
        for (Listener l : listeners) {
            if (l.name().equals(name)) {
                return l;
            }
        }
        return null;
    }

    /** A --listen whose name systemd also passed: systemd's socket wins; say so if they differ. */
    static void checkSame(Wanted spec, Listener adopted) {
        InetSocketAddress want = spec.address();
        InetSocketAddress have = adopted.address();
        boolean samePort = want.getPort() == 0 || want.getPort() == have.getPort();
        boolean sameHost = want.getAddress().isAnyLocalAddress() || want.getAddress().equals(have.getAddress());
        if (!samePort || !sameHost) {
            LOG.warn("--listen {}={} differs from the socket systemd passed ({}): using systemd's",
                    spec.name(), Addresses.format(want), Addresses.format(have));
        }
    }
}
