package dev.baton.supervisor;

import java.net.InetSocketAddress;
import java.util.regex.Pattern;

import dev.baton.child.Addresses;

/**
 * One {@code --listen [NAME=]HOST:PORT}. Without a name the listener is called after its
 * address as written, e.g. {@code 127.0.0.1:8080}.
 */
public record ListenSpec(String name, InetSocketAddress address) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");

    public static ListenSpec parse(String text) {
        String name = text;
        String address = text;
        int eq = text.indexOf('=');
        if (eq >= 0) {
            name = text.substring(0, eq);
            address = text.substring(eq + 1);
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("--listen '" + text + "': listener name '" + name
                        + "' must be letters, digits, '_', '.' or '-'");
            }
        }
        try {
            return new ListenSpec(name, Addresses.parse(address));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--listen " + e.getMessage());
        }
    }
}
