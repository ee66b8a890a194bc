package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 3,000 connections to the handoff socket that never say HELLO (issue 11, point 6): batond must
 * not spend a thread on each, must keep reloading without losing a request while they are held,
 * must close them itself (the test sees EOF on every one), saying why in a bounded number of log
 * lines, and must come back to its idle threads, descriptors and memory.
 */
class HandoffFloodTest {
    private static final int IDLE_CONNECTIONS = 3000;
    private static final Duration EVENT = Duration.ofSeconds(60);
    /** batond's HELLO timeout is 5 s; some slack for a loaded machine. */
    private static final Duration ALL_CLOSED = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final long RSS_SLACK_KIB = 8 * 1024;
    /** The lines that say why a connection without HELLO was closed, one by one or summed up. */
    private static final Pattern NO_HELLO = Pattern.compile("handoff(:| connection \\d+) .*closed: no HELLO");
    private static final Pattern TIMED_OUT = Pattern.compile("handoff connection \\d+ closed: no HELLO within 5s");

    @Test
    @Timeout(300)
    void idleConnectionsCostNoThreadAndAreClosed() throws Exception {
        try (BatondProcess batond = BatondProcess.startWithHello("HandoffFloodTest")) {
            Path socket = Path.of(batond.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(2));
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            List<SocketChannel> held = new ArrayList<>();
            try (LoadClient load = LoadClient.start(batond.port(), 2, 2)) {
                assertTrue(load.awaitGeneration(1, EVENT), load::toString);
                ProcStatus idle = ProcStatus.of(batond.pid());
                System.out.println("idle: " + idle);

                try {
                    for (int i = 0; i < IDLE_CONNECTIONS; i++) {
                        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                        held.add(channel);
                        channel.connect(UnixDomainSocketAddress.of(socket));
                    }
                    ProcStatus flooded = ProcStatus.of(batond.pid());
                    System.out.println("with " + IDLE_CONNECTIONS + " idle connections: " + flooded);
                    assertTrue(flooded.threads() <= idle.threads() + 5,
                            () -> "threads grew with idle connections: idle " + idle + ", now " + flooded);

                    // A reload while they are held: the new child gets its listeners, no request fails.
                    ReloadStep.within(EVENT).run(batond, load, 2);
                    assertEquals(0, load.report().failures(), load::toString);

                    awaitEndOfStream(held, ALL_CLOSED, () -> batond.output().tail(20));
                } finally {
                    for (SocketChannel channel : held) {
                        channel.close();
                    }
                }
                load.stop();
                assertEquals(0, load.report().failures(), load::toString);
                assertTrue(load.report().ok() > 0, load::toString);

                ProcStatus settled = awaitSettled(batond.pid(), idle);
                System.out.println("after: " + settled);
                assertTrue(settled.fds() <= idle.fds(), () -> "descriptors leaked: idle " + idle + ", after " + settled);
                // The JDK's process reaper pool keeps the thread of gen=1's exit idle for a minute.
                assertTrue(settled.threads() <= idle.threads() + 1, () -> "threads left: idle " + idle + ", after " + settled);
                assertTrue(settled.rssKiB() <= idle.rssKiB() + RSS_SLACK_KIB,
                        () -> "memory kept: idle " + idle + ", after " + settled);
            }

            // Why they were closed is in the log, in a few lines rather than 3,000.
            int noHello = batond.countLines(NO_HELLO);
            assertTrue(noHello >= 1 && noHello <= 20, () -> noHello + " lines about connections without HELLO:\n"
                    + batond.output().tail(40));
            assertTrue(batond.countLines(TIMED_OUT) >= 1, () -> batond.output().tail(40));
            assertEquals(0, batond.countLines(BatondLines.STACK_FRAME), () -> batond.output().tail(40));
            assertEquals(0, batond.countLines(BatondLines.REFUSED_ANY), () -> batond.output().tail(40));

            batond.signal("TERM");
            assertEquals(0, batond.waitFor(EVENT), () -> batond.output().tail(40));
        }
    }

    /** Waits until batond has closed every one of {@code channels}: each reads end of stream (or a reset). */
    private static void awaitEndOfStream(List<SocketChannel> channels, Duration timeout, Supplier<String> log)
            throws IOException {
        AtomicInteger open = new AtomicInteger(channels.size());
        try (Selector selector = Selector.open()) {
            for (SocketChannel channel : channels) {
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ);
            }
            ByteBuffer buffer = ByteBuffer.allocate(64);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (open.get() > 0) {
                long remaining = (deadline - System.nanoTime()) / 1_000_000;
                if (remaining <= 0) {
                    throw new AssertionError(open.get() + " of " + channels.size()
                            + " idle handoff connections still open after " + timeout + "; batond's log:\n" + log.get());
                }
                selector.select(remaining);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel channel = (SocketChannel) key.channel();
                    int n;
                    try {
                        n = channel.read(buffer.clear());
                    } catch (IOException e) {
                        n = -1; // a reset is a close as well
                    }
                    if (n > 0) {
                        throw new AssertionError("batond sent " + n + " bytes to a connection that never said HELLO");
                    }
                    if (n < 0) {
                        key.cancel();
                        open.decrementAndGet();
                    }
                }
                selector.selectedKeys().clear();
            }
        }
    }

    /** Polls until batond is back to its idle descriptors and memory, or {@link #SETTLE} has passed. */
    private static ProcStatus awaitSettled(long pid, ProcStatus idle) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (true) {
            ProcStatus now = ProcStatus.of(pid);
            boolean settled = now.fds() <= idle.fds() && now.rssKiB() <= idle.rssKiB() + RSS_SLACK_KIB;
            if (settled || System.nanoTime() - deadline > 0) {
                return now;
            }
            Thread.sleep(200); // polling /proc, bounded by the deadline; not a synchronisation
        }
    }
}
