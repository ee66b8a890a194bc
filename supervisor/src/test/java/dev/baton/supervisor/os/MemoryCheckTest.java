package dev.baton.supervisor.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MemoryCheck reads /proc files; here a /proc made of real files with chosen numbers. */
public class MemoryCheckTest {
    static final long PID = 987654321L; // no such process: it has no descendants

    static Path fakeProc(Path dir, long availableKb, long rssKb) throws Exception {
        Files.writeString(dir.resolve("meminfo"), "MemTotal:  999999 kB\nMemAvailable:   " + availableKb + " kB\n");
        Files.createDirectories(dir.resolve(Long.toString(PID)));
        Files.writeString(dir.resolve(PID + "/status"), "Name:\tjava\nVmRSS:\t  " + rssKb + " kB\n");
        return dir;
    }

    @Test
    void refusesWhenASecondChildWouldNotFit(@TempDir Path dir) throws Exception {
        Optional<String> why = new MemoryCheck(fakeProc(dir, 300 * 1024, 400 * 1024), 1.0).shortfall(PID);
        assertEquals(Optional.of("not enough memory for a second child: the serving one uses 400 MiB, "
                + "a new one needs about 400 MiB (--memory-headroom 1.0), only 300 MiB available"), why);
    }

    @Test
    void allowsWhenItFitsAndHonoursTheHeadroom(@TempDir Path dir) throws Exception {
        Path proc = fakeProc(dir, 500 * 1024, 400 * 1024);
        assertTrue(new MemoryCheck(proc, 1.0).shortfall(PID).isEmpty());
        assertTrue(new MemoryCheck(proc, 1.5).shortfall(PID).isPresent());
    }

    @Test
    void withoutMeminfoNothingIsRefused(@TempDir Path dir) {
        assertTrue(new MemoryCheck(dir, 1.0).shortfall(PID).isEmpty());
    }
}
