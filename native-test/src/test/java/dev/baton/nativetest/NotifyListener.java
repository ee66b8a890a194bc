package dev.baton.nativetest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import java.nio.ByteOrder;

import jnr.posix.CmsgHdr;
import jnr.posix.MsgHdr;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;

/**
 * Plays systemd's side of sd_notify(3): a Unix datagram socket, by default with an abstract
 * name ({@code @...}) as systemd uses, collecting every message batond sends.
 */
final class NotifyListener implements AutoCloseable {
    /**
     * One datagram, when it arrived ({@link System#nanoTime()}, which is CLOCK_MONOTONIC), and the
     * descriptors attached to it (SCM_RIGHTS, as with FDSTORE=1), now this test JVM's.
     */
    record Message(String text, long receivedNanos, List<Integer> fds) {}

    private final String notifySocket;
    private final UnixDatagramChannel channel;
    private final List<Message> messages = new ArrayList<>(); // guarded by itself
    private final Thread reader;

    private NotifyListener(String notifySocket, UnixDatagramChannel channel) {
        this.notifySocket = notifySocket;
        this.channel = channel;
        this.reader = new Thread(this::readLoop, "notify-listener");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** An abstract socket: NOTIFY_SOCKET=@baton-notify-RANDOM. */
    static NotifyListener abstractSocket() {
        String name = "baton-notify-" + UUID.randomUUID();
        try {
            UnixDatagramChannel channel = UnixDatagramChannel.open();
            channel.bind(new UnixSocketAddress("\0" + name));
            return new NotifyListener("@" + name, channel);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value for batond's NOTIFY_SOCKET. */
    String notifySocket() {
        return notifySocket;
    }

    private void readLoop() {
        // recvmsg rather than the channel's receive: systemd's side also takes descriptors.
        POSIX posix = POSIXFactory.getNativePOSIX();
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        while (channel.isOpen()) {
            buffer.clear();
            MsgHdr msg = posix.allocateMsgHdr();
            msg.setIov(new ByteBuffer[] {buffer});
            msg.allocateControl(Integer.BYTES * 16);
            int n = posix.recvmsg(channel.getFD(), msg, 0);
            if (n < 0) {
                return; // closed
            }
            List<Integer> fds = new ArrayList<>();
            for (CmsgHdr control : msg.getControls()) {
                ByteBuffer data = control.getData().order(ByteOrder.nativeOrder());
                while (data.remaining() >= Integer.BYTES) {
                    fds.add(data.getInt());
                }
            }
            byte[] bytes = new byte[n];
            buffer.get(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8);
            synchronized (messages) {
                messages.add(new Message(text, System.nanoTime(), List.copyOf(fds)));
                messages.notifyAll();
            }
        }
    }

    List<Message> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    /** Waits for a message matching {@code wanted} at index {@code from} or later; returns its index. */
    int await(int from, Predicate<String> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (messages) {
            while (true) {
                for (int i = from; i < messages.size(); i++) {
                    if (wanted.test(messages.get(i).text())) {
                        return i;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching sd_notify message within " + timeout + "; got " + messages);
                }
                messages.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the reader ends either way
        }
        POSIX posix = POSIXFactory.getNativePOSIX();
        for (Message m : messages()) {
            m.fds().forEach(posix::close);
        }
    }
}
