package dev.baton.nativetest;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import dev.baton.child.Baton;
import dev.baton.child.Drainable;
import dev.baton.child.InflightTracker;
import dev.baton.protocol.Frame;
import sun.misc.Signal;

/**
 * A child for fault tests, run by batond as its child command. What it does is read at start
 * from the file named by {@code FAULT_FILE}, so a test can make the next generation misbehave:
 * <ul>
 *   <li>{@code ok}: serve HTTP (one request per connection) and drain on SIGTERM</li>
 *   <li>{@code exit-before-connect}: exit 3 at once</li>
 *   <li>{@code exit-after-listeners}: receive the listeners, then exit 4</li>
 *   <li>{@code never-connect}: run without ever connecting to batond</li>
 *   <li>{@code never-ready}: receive the listeners, never say READY</li>
 *   <li>{@code slow-ready}: receive the listeners, say READY only after 20 s</li>
 *   <li>{@code second-connection}: serve, and also try HELLO with its own token on a second connection</li>
 *   <li>{@code ignore-term}: serve, and ignore SIGTERM</li>
 *   <li>{@code orphans}: serve, and leave 20 orphaned grandchildren behind</li>
 *   <li>{@code exit-after-ready}: serve, and 1 s after READY drain and exit 0 on its own (no slow close hook)</li>
 *   <li>{@code not-ready-after-ready}: serve, with a readiness check {@code fault} that fails from 0.5 s
 *       after READY on: child-api reports NOT_READY to batond</li>
 *   <li>{@code ready-on-file}: receive the listeners, start a thread {@code start-early}, print
 *       {@code faulty-child gen=N waiting for FILE}, wait until {@code FAULT_FILE.go} exists, start a
 *       thread {@code start-late}, serve (both threads live on)</li>
 *   <li>{@code thread-churn}: serve, while a thread starts and ends short-lived threads for 3 s</li>
 *   <li>{@code exit-at-ready}: say READY, then exit 5 at once</li>
 * </ul>
 * Every mode prints {@code faulty-child gen=N mode=M} first. Serving modes register a close hook that
 * takes 500 ms and prints {@code faulty-child gen=N closed slow resource}.
 */
public final class FaultyChild {
    private FaultyChild() {}

    public static void main(String[] args) throws Exception {
        String mode = mode();
        String gen = System.getenv("BATON_GENERATION");
        System.out.println("faulty-child gen=" + gen + " mode=" + mode + " pid=" + ProcessHandle.current().pid());
        System.out.flush();
        switch (mode) {
            case "exit-before-connect" -> System.exit(3);
            case "never-connect" -> Thread.sleep(Long.MAX_VALUE);
            default -> { }
        }
        Baton baton = Baton.connect();
        switch (mode) {
            case "exit-after-listeners" -> System.exit(4);
            case "never-ready" -> Thread.sleep(Long.MAX_VALUE);
            case "slow-ready" -> Thread.sleep(20_000);
            case "second-connection" -> System.out.println("faulty-child second connection: " + secondHello());
            case "ignore-term" -> Signal.handle(new Signal("TERM"), s -> System.out.println("faulty-child ignoring SIGTERM"));
            case "orphans" -> leaveOrphans(20);
            case "ready-on-file" -> readyOnFile(gen);
            case "thread-churn" -> churnThreads(java.time.Duration.ofSeconds(3));
            case "exit-at-ready" -> {
                baton.ready();
                Runtime.getRuntime().halt(5);
            }
            default -> { }
        }
        AtomicLong readyAt = new AtomicLong();
        if (mode.equals("not-ready-after-ready")) {
            baton.readinessCheck("fault", () -> readyAt.get() == 0 || System.nanoTime() - readyAt.get() < 500_000_000L);
        }
        serve(baton, !mode.equals("exit-after-ready"));
        readyAt.set(System.nanoTime());
        if (mode.equals("exit-after-ready")) {
            Thread.sleep(1000);
            System.out.println("faulty-child gen=" + gen + " drains and exits on its own 1s after READY");
            baton.drainAndExit("exit-after-ready fault");
        }
    }

    private static String mode() throws IOException {
        String file = System.getenv("FAULT_FILE");
        if (file == null || !Files.exists(Path.of(file))) {
            return "ok";
        }
        String mode = Files.readString(Path.of(file)).strip();
        return mode.isEmpty() ? "ok" : mode;
    }

    /** HELLO with this generation's (already used) token on a new connection: what comes back? */
    private static String secondHello() throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(System.getenv("BATON_SOCKET")));
            ch.write(ByteBuffer.wrap(Frame.of("BATON", "1", "TOKEN", System.getenv("BATON_TOKEN"), "PID",
                    Long.toString(ProcessHandle.current().pid())).encode()));
            ByteBuffer in = ByteBuffer.allocate(1024);
            int total = 0;
            int n;
            while ((n = ch.read(in)) > 0) {
                total += n;
            }
            return total == 0 ? "closed without a reply" : "got " + total + " bytes";
        }
    }

    private static void readyOnFile(String gen) throws InterruptedException {
        idleThread("start-early");
        Path go = Path.of(System.getenv("FAULT_FILE") + ".go");
        System.out.println("faulty-child gen=" + gen + " waiting for " + go);
        System.out.flush();
        while (!Files.exists(go)) {
            Thread.sleep(20);
        }
        idleThread("start-late");
    }

    private static void idleThread(String name) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                // ends with the JVM
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    /** Threads that come and go while batond restores this child's priority. */
    private static void churnThreads(java.time.Duration duration) {
        Thread churn = new Thread(() -> {
            long end = System.nanoTime() + duration.toNanos();
            try {
                // About a thousand a second, a few alive at any moment: light on the CPU, and some
                // always ending (ESRCH) or beginning (a next pass) while batond restores them.
                while (System.nanoTime() < end) {
                    new Thread(() -> {
                        try {
                            Thread.sleep(2);
                        } catch (InterruptedException e) {
                            // ends
                        }
                    }, "churn").start();
                    Thread.sleep(1);
                }
            } catch (InterruptedException e) {
                // ends
            }
        }, "churner");
        churn.setDaemon(true);
        churn.start();
    }

    private static void leaveOrphans(int count) throws IOException, InterruptedException {
        for (int i = 0; i < count; i++) {
            // sh exits at once; its background sleep is orphaned and re-parented to the pid namespace's init.
            new ProcessBuilder("sh", "-c", "sleep 0.2 &").inheritIO().start().waitFor();
        }
        System.out.println("faulty-child left " + count + " orphans");
    }

    /** One request per connection: enough HTTP for the load client. */
    private static void serve(Baton baton, boolean slowClose) throws IOException, InterruptedException {
        ServerSocketChannel server = baton.listener().serverSocketChannel();
        InflightTracker inflight = new InflightTracker();
        byte[] body = ("generation=" + baton.generation() + " pid=" + ProcessHandle.current().pid() + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    SocketChannel c = inflight.accept(server::accept);
                    new Thread(() -> answer(c, head, body, inflight), "answer").start();
                }
            } catch (IOException closedByDrain) {
                // the drain closed the listener
            }
        }, "acceptor");
        acceptor.start();
        baton.onDrain(Drainable.of(server, inflight));
        // A close hook that takes a while: the drain must finish it even after every other thread of
        // the service has ended (here the acceptor ends as soon as the listener closes).
        if (slowClose) {
            baton.onClose("slow resource", () -> {
                Thread.sleep(500);
                System.out.println("faulty-child gen=" + baton.generation() + " closed slow resource");
            });
        }
        baton.ready();
    }

    private static void answer(SocketChannel c, byte[] head, byte[] body, InflightTracker inflight) {
        try (c) {
            ByteBuffer request = ByteBuffer.allocate(8192);
            while (c.read(request) > 0 && !endsWithBlankLine(request)) {
                // read the whole request head
            }
            c.write(new ByteBuffer[] {ByteBuffer.wrap(head), ByteBuffer.wrap(body)});
        } catch (IOException e) {
            // the client went away
        } finally {
            inflight.end();
        }
    }

    private static boolean endsWithBlankLine(ByteBuffer b) {
        int p = b.position();
        return p >= 4 && b.get(p - 4) == '\r' && b.get(p - 3) == '\n' && b.get(p - 2) == '\r' && b.get(p - 1) == '\n';
    }
}
