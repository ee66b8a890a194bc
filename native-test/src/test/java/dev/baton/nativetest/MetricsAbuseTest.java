package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HOSTILE.md's socket checklist against {@code --metrics}: thousands of scrapes that close (or
 * reset) before their answer, and a thousand that send half a request and stay, queued ahead of
 * a scrape. batond's descriptors and threads return to their idle counts, its memory stays near idle, a normal
 * scrape is answered meanwhile, nothing is logged but a short rate-limited line, and batond
 * still answers status, reloads without a failed request and stops cleanly.
 */
class MetricsAbuseTest {
    private static final Duration EVENT = Duration.ofSeconds(60);
    private static final Duration PROMPT = Duration.ofSeconds(5);
    private static final int ABORTED = 5000;
    private static final int HALF_OPEN = 1000;
    private static final long RSS_SLACK_KIB = 8 * 1024;
    private static final byte[] REQUEST = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern WENT_AWAY = Pattern.compile("metrics: \\d+ client\\(s\\) went away");

    @Test
    @Timeout(400)
    void abortedAndHalfOpenScrapesLeaveNothingBehind() throws Exception {
        List<String> args = new ArrayList<>(List.of("--listen", "http=127.0.0.1:0", "--metrics", "127.0.0.1:0",
                "--ready-timeout", "60s", "--drain-timeout", "20s", "--"));
        args.addAll(Artifacts.helloCommand());
        try (BatondProcess batond = BatondProcess.start("MetricsAbuseTest", List.of(), args)) {
            Path control = Path.of(batond.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(3));
            int metrics = Integer.parseInt(batond.awaitLine(BatondLines.METRICS, BatondProcess.STARTUP).group(1));
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            InetSocketAddress endpoint = new InetSocketAddress("127.0.0.1", metrics);
            try (LoadClient load = LoadClient.start(batond.port(), 1, 1)) {
                assertTrue(load.awaitSuccesses(20, EVENT), load::toString);
                for (int i = 0; i < 3; i++) { // whatever the first scrapes load or start is part of idle
                    MetricsScrape.of(metrics);
                }
                ProcStatus idle = ProcStatus.of(batond.pid());

                // 5,000 scrapes that go away before their answer, half closed, half reset, while
                // normal scrapes keep being answered.
                ExecutorService clients = Executors.newFixedThreadPool(2);
                AtomicInteger next = new AtomicInteger();
                List<Future<Integer>> flood = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    flood.add(clients.submit(() -> abortScrapes(endpoint, next)));
                }
                while (next.get() < ABORTED) {
                    promptScrape(metrics);
                    Thread.sleep(200); // spacing the normal scrapes out, not a synchronisation
                }
                int unconnected = 0;
                for (Future<Integer> f : flood) {
                    unconnected += f.get(120, TimeUnit.SECONDS);
                }
                clients.shutdown();
                assertEquals(0, unconnected, "aborted scrapes that could not even connect");

                // 100 clients that send half a request and stay: a normal scrape is still answered.
                List<Socket> halfOpen = new ArrayList<>();
                try {
                    for (int i = 0; i < HALF_OPEN; i++) {
                        Socket s = new Socket();
                        halfOpen.add(s);
                        s.connect(endpoint, 5000);
                        s.getOutputStream().write("GET /met".getBytes(StandardCharsets.US_ASCII));
                    }
                    MetricsScrape during = promptScrape(metrics);
                    assertEquals(1, during.get("baton_generation"));
                    ProcStatus held = ProcStatus.of(batond.pid());
                    System.out.println("with " + HALF_OPEN + " half-open connections: " + held);
                    // The cap of 16, one newcomer replacing an evicted client, and a few of batond's own.
                    assertTrue(held.fds() <= idle.fds() + 20, () -> "descriptors grow with the clients: idle "
                            + idle + ", with " + HALF_OPEN + " half-open " + held);
                    assertTrue(held.threads() <= idle.threads(), () -> "threads grow with the clients: idle "
                            + idle + ", with " + HALF_OPEN + " half-open " + held);
                } finally {
                    for (Socket s : halfOpen) {
                        s.close();
                    }
                }

                ProcStatus after = awaitFootprint(batond.pid(), idle, Duration.ofSeconds(30));
                System.out.println("idle " + idle + "; after the abuse " + after);
                assertTrue(after.rssKiB() <= idle.rssKiB() + RSS_SLACK_KIB,
                        () -> "resident memory grew: idle " + idle + ", after " + after);

                assertEquals(List.of(), batond.output().lines().stream()
                        .filter(l -> BatondLines.STACK_FRAME.matcher(l).find() || l.contains("Exception")
                                || l.contains("SEVERE") || l.contains("OutOfMemoryError"))
                        .limit(10).toList(), "stack traces or exceptions in batond's log");
                int wentAway = batond.countLines(WENT_AWAY);
                assertTrue(wentAway <= 3, "'went away' lines are rate-limited, got " + wentAway);

                // batond is whole: scrape, status, a reload under load with no failed request.
                assertEquals(1, promptScrape(metrics).get("baton_generation"));
                BatonctlCommand.Result status = BatonctlCommand.run(control, "status", "--json");
                assertEquals(0, status.exitCode(), status::toString);
                ReloadStep.within(EVENT).run(batond, load, 2);
                load.stop();
                assertEquals(0, load.report().failures(), load::toString);
            }
            batond.signal("TERM");
            assertEquals(0, batond.waitFor(EVENT));
            assertEquals(0, batond.countLines(BatondLines.STACK_FRAME), "stack frames in batond's log");
        }
    }

    /** Connects, sends a whole request, goes away at once; how many could not connect. */
    private static int abortScrapes(InetSocketAddress endpoint, AtomicInteger next) {
        int unconnected = 0;
        for (int i = next.getAndIncrement(); i < ABORTED; i = next.getAndIncrement()) {
            try (Socket s = new Socket()) {
                s.connect(endpoint, 5000);
                OutputStream out = s.getOutputStream();
                out.write(REQUEST);
                if (i % 2 == 0) {
                    s.setSoLinger(true, 0); // close resets the connection
                }
            } catch (IOException e) {
                unconnected++;
            }
        }
        return unconnected;
    }

    /** A scrape that must be answered, with batond's series, within {@link #PROMPT}. */
    private static MetricsScrape promptScrape(int port) throws IOException, InterruptedException {
        long start = System.nanoTime();
        MetricsScrape scrape = MetricsScrape.of(port);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.println("scrape answered in " + took.toMillis() + " ms");
        assertTrue(took.compareTo(PROMPT) <= 0, "a scrape took " + took.toMillis() + " ms");
        scrape.get("baton_reloads_total{outcome=\"succeeded\"}");
        return scrape;
    }

    /** Polls until batond's descriptors and threads are back at (or below) their idle counts; the last reading. */
    private static ProcStatus awaitFootprint(long pid, ProcStatus idle, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ProcStatus now = ProcStatus.of(pid);
            // At most: the idle reading may have caught a descriptor of batond's own passing work
            // (the state file being replaced), which a leak check must not demand back.
            if (now.fds() <= idle.fds() && now.threads() <= idle.threads()) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("batond did not return to idle within " + timeout + ": idle " + idle
                        + ", now " + now);
            }
            Thread.sleep(100); // a polling interval: the counts decide
        }
    }
}
