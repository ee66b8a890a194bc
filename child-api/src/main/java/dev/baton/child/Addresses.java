package dev.baton.child;

import java.net.InetSocketAddress;

/**
 * HOST:PORT and [IPv6]:PORT, as written on the command line and in ADDRESSES= frames.
 *
 * @deprecated moved to {@link dev.baton.protocol.Addresses}, which batond uses too; this alias
 *     keeps services that call it compiling.
 */
@Deprecated
public final class Addresses {
    private Addresses() {}

    /** See {@link dev.baton.protocol.Addresses#format}. */
    public static String format(InetSocketAddress a) {
        return dev.baton.protocol.Addresses.format(a);
    }

    /** See {@link dev.baton.protocol.Addresses#parse}. */
    public static InetSocketAddress parse(String text) {
        return dev.baton.protocol.Addresses.parse(text);
    }
}
