package dev.baton.child;

import java.net.Inet6Address;
import java.net.InetSocketAddress;

/** HOST:PORT and [IPv6]:PORT, as written on the command line and in ADDRESSES= frames. */
public final class Addresses {
    private Addresses() {}

    public static String format(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        if (a.getAddress() instanceof Inet6Address) {
            int scope = host.indexOf('%');
            host = "[" + (scope >= 0 ? host.substring(0, scope) : host) + "]";
        }
        return host + ":" + a.getPort();
    }

    /**
     * Parses {@code HOST:PORT}, {@code [IPv6]:PORT} or {@code :PORT} (all interfaces).
     * Host names are resolved; the error names what is wrong.
     */
    public static InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT (for IPv6 write [::1]:8080)");
        }
        String host = text.substring(0, colon);
        String portText = text.substring(colon + 1);
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': port '" + portText + "' is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "': port " + port + " is outside 0-65535");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("'" + text + "': write IPv6 addresses in brackets, e.g. [::1]:8080");
        }
        InetSocketAddress a = host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
        if (a.isUnresolved()) {
            throw new IllegalArgumentException("'" + text + "': cannot resolve host '" + host + "'");
        }
        return a;
    }
}
