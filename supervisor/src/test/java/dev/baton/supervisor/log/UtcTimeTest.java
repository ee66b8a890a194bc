package dev.baton.supervisor.log;

import dev.baton.supervisor.cli.DurationParser;
import dev.baton.supervisor.cli.ListenSpec;
import dev.baton.supervisor.lifecycle.Durations;
import dev.baton.supervisor.os.Words;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The hand-written formats and parsers that stand in for java.time's and java.util.regex's in batond. */
public class UtcTimeTest {
    private static final DateTimeFormatter ISO =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

    @Test
    void agreesWithJavaTime() {
        Random random = new Random(42);
        List<Long> edges = List.of(0L, 951_782_400_000L /* 2000-02-29 */, 4_107_542_399_999L /* 2100-02-28 end */,
                1_798_761_599_999L, 1_798_761_600_000L /* new year 2027 */);
        for (long ms : edges) {
            assertEquals(ISO.format(Instant.ofEpochMilli(ms)), UtcTime.format(ms));
        }
        for (int i = 0; i < 100_000; i++) {
            long ms = (long) (random.nextDouble() * 4_000_000_000_000L);
            assertEquals(ISO.format(Instant.ofEpochMilli(ms)), UtcTime.format(ms));
        }
    }

    @Test
    void isoIsInstantToStringCharacterForCharacter() {
        Random random = new Random(7);
        List<Instant> edges = List.of(Instant.EPOCH, Instant.ofEpochSecond(0, 1), Instant.ofEpochSecond(951_782_400L, 5_000_000),
                Instant.ofEpochSecond(253_402_300_799L, 999_999_999), Instant.ofEpochSecond(253_402_300_800L),
                Instant.ofEpochSecond(-1, 120_000), Instant.MIN, Instant.MAX);
        for (Instant instant : edges) {
            assertEquals(instant.toString(), UtcTime.iso(instant));
        }
        for (int i = 0; i < 100_000; i++) {
            long seconds = (long) (random.nextDouble() * 253_402_300_800L);
            int nanos = random.nextInt(1_000_000_000);
            // as many with whole milli- and microseconds and none, where the fraction is shorter
            int[] variants = {nanos, nanos / 1_000_000 * 1_000_000, nanos / 1000 * 1000, 0};
            Instant instant = Instant.ofEpochSecond(seconds, variants[i % variants.length]);
            assertEquals(instant.toString(), UtcTime.iso(instant));
        }
    }

    @Test
    void durations() {
        assertEquals(Duration.ofMillis(500), DurationParser.parse("500ms"));
        assertEquals(Duration.ofSeconds(30), DurationParser.parse(" 30s "));
        assertEquals(Duration.ofMinutes(2), DurationParser.parse("2m"));
        assertEquals(Duration.ofHours(1), DurationParser.parse("1h"));
        for (String bad : List.of("", "s", "10", "10x", "-1s", "1.5s", "10 s", "99999999999999999999s")) {
            assertThrows(IllegalArgumentException.class, () -> DurationParser.parse(bad), bad);
        }
        assertEquals("1.08s", Durations.seconds(Duration.ofMillis(1075)));
        assertEquals("0.05s", Durations.seconds(Duration.ofMillis(49)));
        assertEquals("12.00s", Durations.seconds(Duration.ofMillis(11_999)));
        assertEquals("?", Durations.seconds(null));
    }

    @Test
    void wordsAndNames() {
        assertEquals(List.of("TcpExt:", "1", "22"), Words.of("  TcpExt: 1\t 22 "));
        assertEquals(List.of(), Words.of("   "));
        assertEquals(true, ListenSpec.validName("http-2.v_1"));
        for (String bad : List.of("", "1http", "ht tp", "ht=tp", "é")) {
            assertEquals(false, ListenSpec.validName(bad), bad);
        }
    }
}
