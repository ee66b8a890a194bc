package dev.baton.supervisor.os;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.channels.Channel;

/**
 * The descriptor number behind a JDK socket channel, for the calls the JDK has no API for
 * (sendmsg with SCM_RIGHTS, SO_PEERCRED, TCP_INFO). Reads sun.nio.ch's getFDVal, which
 * batond.jar's manifest opens with {@code Add-Opens: java.base/sun.nio.ch}.
 */
public final class ChannelFd {
    private ChannelFd() {}

    public static int of(Channel channel) throws IOException {
        try {
            Method getter = channel.getClass().getDeclaredMethod("getFDVal");
            getter.setAccessible(true);
            return (int) getter.invoke(channel);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("cannot read the descriptor of " + channel.getClass().getName()
                    + " (batond needs --add-opens java.base/sun.nio.ch=ALL-UNNAMED): " + e, e);
        }
    }
}
