package dev.baton.supervisor.cli;

import java.net.InetSocketAddress;

import dev.baton.protocol.Addresses;

/**
 * One {@code --listen [NAME=]HOST:PORT}. Without a name the listener is called after its
 * address as written, e.g. {@code 127.0.0.1:8080}.
 */
public record ListenSpec(String name, InetSocketAddress address) {
    public static ListenSpec parse(String text) {
        String name = text;
        String address = text;
        int eq = text.indexOf('=');
        if (eq >= 0) {
            name = text.substring(0, eq);
            address = text.substring(eq + 1);
            if (!validName(name)) {
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

    /** A letter, then letters, digits, '_', '.' or '-'. */
    public static boolean validName(String name) {
        if (name.isEmpty() || !isAsciiLetter(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(isAsciiLetter(c) || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z';
    }
}
