package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * hello where Netty's epoll is not available ({@code -Dio.netty.transport.noNative=true}): the
 * listener batond passes is served through Netty's NIO transport instead, and reloads under
 * load lose nothing.
 */
class NioFallbackReloadTest {
    private static final Duration EVENT = Duration.ofSeconds(60);
    private static final int RELOADS = 3;

    @Test
    @Timeout(180)
    void helloOnNettyNioReloadsUnderLoad() throws Exception {
        List<String> child = List.of(Artifacts.java(), "-Dio.netty.transport.noNative=true", "-jar",
                Artifacts.helloJar().toString());
        try (BatondProcess batond = BatondProcess.startWith("NioFallbackReloadTest", child)) {
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            batond.awaitLine("serving generation=1 pid=\\d+ on 127\\.0\\.0\\.1:\\d+ \\(nio\\)", EVENT);
            try (LoadClient load = LoadClient.start(batond.port(), 2, 2)) {
                assertTrue(load.awaitGeneration(1, EVENT), load::toString);
                for (int generation = 2; generation <= RELOADS + 1; generation++) {
                    ReloadStep.within(EVENT).run(batond, load, generation);
                }
                load.stop();
                assertEquals(0, load.report().failures(), load::toString);
            }
            assertEquals(0, batond.countLines("\\(epoll\\)"), "every generation served through NIO");
        }
    }
}
