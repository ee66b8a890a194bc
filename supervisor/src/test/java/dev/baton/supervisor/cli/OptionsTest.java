package dev.baton.supervisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** batond's command line, read by hand the way picocli read it before: values, defaults, errors. */
public class OptionsTest {

    @Test
    void defaults() {
        Config c = parse("--", "java", "-jar", "app.jar");
        assertEquals(List.of(), c.listens());
        assertEquals(Duration.ofSeconds(60), c.readyTimeout());
        assertEquals(Duration.ofSeconds(30), c.drainTimeout());
        assertEquals(Duration.ofSeconds(1), c.restartBackoffMin());
        assertEquals(Duration.ofSeconds(30), c.restartBackoffMax());
        assertEquals(1, c.maxDraining());
        assertTrue(c.memoryCheck());
        assertEquals(1.0, c.memoryHeadroom());
        assertNull(c.handoffDir());
        assertEquals(Path.of("/run/hello/control"), withEnv(Map.of("RUNTIME_DIRECTORY", "/run/hello:/run/other"),
                "--", "java").control(), "systemd's RuntimeDirectory=, the first of several");
        assertEquals(Path.of("/run/user/1000/baton/control"), withEnv(Map.of("XDG_RUNTIME_DIR", "/run/user/1000"),
                "--", "java").control());
        assertEquals(Path.of("/run/x/control"), withEnv(Map.of("RUNTIME_DIRECTORY", "/run/x", "XDG_RUNTIME_DIR", "/run/user/1"),
                "--", "java").control(), "RUNTIME_DIRECTORY comes first");
        assertNull(c.metrics());
        assertEquals(List.of("java", "-jar", "app.jar"), c.command());
    }

    @Test
    void everyOptionWithItsValueAsTheNextWord() {
        assertEverything(parse("--listen", "web=127.0.0.1:8080", "--listen", "[::1]:9090",
                "--ready-timeout", "90s", "--drain-timeout", "2m", "--restart-backoff-min", "500ms",
                "--restart-backoff-max", "1h", "--max-draining", "3", "--memory-headroom", "1.5", "--no-memory-check",
                "--handoff-dir", "/run/h", "--control", "/run/c", "--metrics", "127.0.0.1:9100", "--start-nice", "10",
                "--", "java", "-jar", "app.jar"));
    }

    @Test
    void everyOptionWithItsValueAfterAnEqualsSign() {
        assertEverything(parse("--listen=web=127.0.0.1:8080", "--listen=[::1]:9090",
                "--ready-timeout=90s", "--drain-timeout=2m", "--restart-backoff-min=500ms",
                "--restart-backoff-max=1h", "--max-draining=3", "--memory-headroom=1.5", "--no-memory-check",
                "--handoff-dir=/run/h", "--control=/run/c", "--metrics=127.0.0.1:9100", "--start-nice=10",
                "--", "java", "-jar", "app.jar"));
    }

    private static void assertEverything(Config c) {
        assertEquals(List.of(ListenSpec.parse("web=127.0.0.1:8080"), ListenSpec.parse("[::1]:9090")), c.listens());
        assertEquals(Duration.ofSeconds(90), c.readyTimeout());
        assertEquals(Duration.ofMinutes(2), c.drainTimeout());
        assertEquals(Duration.ofMillis(500), c.restartBackoffMin());
        assertEquals(Duration.ofHours(1), c.restartBackoffMax());
        assertEquals(3, c.maxDraining());
        assertEquals(1.5, c.memoryHeadroom());
        assertEquals(10, c.startNice());
        assertFalse(c.memoryCheck());
        assertEquals(Path.of("/run/h"), c.handoffDir());
        assertEquals(Path.of("/run/c"), c.control());
        assertEquals("127.0.0.1", c.metrics().getHostString());
        assertEquals(9100, c.metrics().getPort());
        assertEquals(List.of("java", "-jar", "app.jar"), c.command());
    }

    @Test
    void listenIsRepeatableAndKeepsItsOrder() {
        Config c = parse("--listen", "b=127.0.0.1:2", "--listen=a=127.0.0.1:1", "--listen", ":3", "--", "x");
        assertEquals(List.of("b", "a", ":3"), c.listens().stream().map(ListenSpec::name).toList());
    }

    @Test
    void anEqualsSignAfterTheFirstBelongsToTheValue() {
        assertEquals("web", parse("--listen=web=127.0.0.1:1", "--", "x").listens().get(0).name());
    }

    @Test
    void everythingAfterDoubleDashIsTheCommandEvenOptionsAndAnotherDoubleDash() {
        Config c = parse("--listen", ":1", "--", "app", "--listen", ":2", "--", "--help", "-x");
        assertEquals(List.of("app", "--listen", ":2", "--", "--help", "-x"), c.command());
        assertEquals(1, c.listens().size());
    }

    @Test
    void theCommandMayStartWithoutDoubleDashAndOptionsMayFollowItsFirstWord() {
        // As picocli did: words that are not options are the command, wherever they are before --.
        Config c = parse("--listen", ":1", "sleep", "--max-draining", "2", "5");
        assertEquals(List.of("sleep", "5"), c.command());
        assertEquals(2, c.maxDraining());
        assertEquals(List.of("sleep", "--", "5"), parse("sleep", "--", "--", "5").command());
    }

    @Test
    void withoutDoubleDashAnOptionOfTheChildIsAnUnknownOption() {
        assertError("Unknown option: '-jar'", "--listen", ":8080", "java", "-jar", "x");
    }

    @Test
    void aLoneDashNegativeNumbersAndEmptyWordsAreCommandWords() {
        assertEquals(List.of("nice", "-5", "-", "-1.5", ""), parse("nice", "-5", "-", "-1.5", "").command());
    }

    @Test
    void anOptionValueMayStartWithADash() {
        assertError("--listen '-x' is not HOST:PORT (for IPv6 write [::1]:8080)", "--listen", "-x", "--", "a");
        assertError("--max-draining: '-3' is out of range: from 1 to 64", "--max-draining", "-3", "--", "a");
    }

    @Test
    void noChildCommand() {
        String message = "no child command: put it after --, e.g. batond --listen 127.0.0.1:8080 -- java -jar app.jar";
        assertError(message, "--listen", "127.0.0.1:0");
        assertError(message, "--listen", "127.0.0.1:0", "--");
        assertError(message);
    }

    @Test
    void unknownOptions() {
        assertError("Unknown option: '--bogus'", "--bogus", "--", "a");
        assertError("Unknown option: '--Listen'", "--Listen", ":1", "--", "a");
        assertError("Unknown option: '--bogus=1'", "--bogus=1", "--", "a");
        assertError("Unknown option: '-x'", "-x", "--", "a");
        assertError("Unknown option: '-hx'", "-hx", "--", "a");
        assertError("Unknown option: '---listen'", "---listen", ":1", "--", "a");
        assertError("Unknown options: '--a', '--b'", "--a", "--b", "--", "a");
    }

    static Stream<Arguments> valuedOptions() {
        return Options.ALL.stream().filter(OptionSpec::takesValue).map(o -> Arguments.of(o.name(), o.label()));
    }

    @ParameterizedTest
    @MethodSource("valuedOptions")
    void aMissingValueNamesTheOption(String option, String label) {
        assertError("Missing required parameter for option '" + option + "' (" + label + ")", option);
        assertError("Expected parameter for option '" + option + "' but found '--'", option, "--", "a");
        assertError("Expected parameter for option '" + option + "' but found '--ready-timeout'",
                option, "--ready-timeout", "5s", "--", "a");
        assertError("Expected parameter for option '" + option + "' but found '-h'", option, "-h");
        assertError("Expected parameter for option '" + option + "' but found '--'", option + "=--", "a");
    }

    @ParameterizedTest
    @MethodSource("valuedOptions")
    void onlyListenMayBeRepeated(String option, String label) {
        String[] twice = {option, "x", option, "y", "--", "a"};
        if (option.equals("--listen")) {
            assertError("--listen 'x' is not HOST:PORT (for IPv6 write [::1]:8080)", twice);
        } else {
            assertError("option '" + option + "' (" + label + ") should be specified only once", twice);
        }
    }

    @Test
    void flagsTakeNoValueAndComeOnce() {
        assertEquals(List.of("a"), parse("--no-memory-check", "a").command());
        assertError("option '--no-memory-check' takes no value: '--no-memory-check=true'",
                "--no-memory-check=true", "--", "a");
        assertError("option '--no-memory-check' should be specified only once",
                "--no-memory-check", "--no-memory-check", "--", "a");
        assertError("option '--help' should be specified only once", "-h", "--help");
        assertError("option '--version' should be specified only once", "-V", "-V");
    }

    @Test
    void badNumbersNameTheOptionTheValueAndTheRange() {
        assertError("--max-draining: 'x' is not a whole number (from 1 to 64)", "--max-draining", "x", "--", "a");
        assertError("--max-draining: '1.5' is not a whole number (from 1 to 64)", "--max-draining=1.5", "--", "a");
        assertError("--max-draining: '' is not a whole number (from 1 to 64)", "--max-draining=", "--", "a");
        assertError("--max-draining: '0x10' is not a whole number (from 1 to 64)", "--max-draining", "0x10", "--", "a");
        assertError("--memory-headroom: 'abc' is not a number like 1.5 (more than 0, at most 100000)",
                "--memory-headroom=abc", "--", "a");
        // Reported first, as picocli did while parsing: even before a missing command.
        assertError("--max-draining: 'x' is not a whole number (from 1 to 64)", "--max-draining", "x");
    }

    @Test
    void valuesAreChecked() {
        assertError("--max-draining: '0' is out of range: from 1 to 64", "--max-draining", "0", "--", "a");
        assertError("--memory-headroom: '0' is out of range: more than 0, at most 100000", "--memory-headroom", "0", "--", "a");
        assertError("--ready-timeout: '0s' is out of range: from 1ms to 24h", "--ready-timeout", "0s", "--", "a");
        assertError("--drain-timeout: 'soon' is not a duration like 500ms, 30s, 2m or 1h (from 1ms to 24h)",
                "--drain-timeout", "soon", "--", "a");
        assertError("--restart-backoff-max must not be below --restart-backoff-min",
                "--restart-backoff-min", "10s", "--restart-backoff-max", "1s", "--", "a");
        assertError("--metrics 'nonsense' is not HOST:PORT (for IPv6 write [::1]:8080)", "--metrics", "nonsense", "--", "a");
        assertError("--listen 'nonsense' is not HOST:PORT (for IPv6 write [::1]:8080)", "--listen", "nonsense", "--", "a");
    }

    static Stream<Arguments> durationOptionsAndTheirLongest() {
        return Stream.of(Arguments.of("--ready-timeout", "24h"), Arguments.of("--drain-timeout", "24h"),
                Arguments.of("--restart-backoff-min", "1h"), Arguments.of("--restart-backoff-max", "1h"));
    }

    @ParameterizedTest
    @MethodSource("durationOptionsAndTheirLongest")
    void durationsAreBoundedAtEachEnd(String option, String longest) {
        Duration max = DurationParser.parse(longest);
        String range = "from 1ms to " + longest;
        // At the bounds, in every unit: accepted.
        assertEquals(Duration.ofMillis(1), durationOf(option, parse(alone(option, option, "1ms"))));
        assertEquals(max, durationOf(option, parse(alone(option, option, longest))));
        assertEquals(max, durationOf(option, parse(alone(option, option + "=" + max.toMinutes() + "m"))));
        assertEquals(max, durationOf(option, parse(alone(option, option + "=" + max.toSeconds() + "s"))));
        assertEquals(max, durationOf(option, parse(alone(option, option + "=" + max.toMillis() + "ms"))));
        assertEquals(max, durationOf(option, parse(alone(option, option + "=000" + longest))));
        // Just beyond, far beyond, and beyond any long: out of range, never an overflow.
        for (String beyond : List.of(max.toMillis() + 1 + "ms", max.toSeconds() + 1 + "s", max.toMinutes() + 1 + "m",
                max.toHours() + 1 + "h", "10000000000s", "999999999999999999h", "999999999999999999m",
                "99999999999999999999999999999999ms", "-5s", "-0s", "0ms", "0h", "000s")) {
            assertError(option + ": '" + beyond + "' is out of range: " + range, option, beyond, "--", "a");
        }
        // Not durations at all.
        for (String bad : List.of("", " ", "s", "30", "30d", "30S", "1.5s", "1e3s", "3 0s", "30 s", "+30s", "--30s",
                "Infinity", "NaN", "PT30S", "30s30s", "0x10s", "٣s")) {
            assertError(option + ": '" + bad + "' is not a duration like 500ms, 30s, 2m or 1h (" + range + ")",
                    option + "=" + bad, "--", "a");
        }
    }

    /** The words, then what keeps the backoffs in order: a min of 1h needs a max as long, a max of 1ms a min as short. */
    private static String[] alone(String option, String... words) {
        List<String> args = new ArrayList<>(List.of(words));
        if (option.equals("--restart-backoff-min")) {
            args.addAll(List.of("--restart-backoff-max", "1h"));
        } else if (option.equals("--restart-backoff-max")) {
            args.addAll(List.of("--restart-backoff-min", "1ms"));
        }
        args.addAll(List.of("--", "a"));
        return args.toArray(String[]::new);
    }

    private static Duration durationOf(String option, Config c) {
        return switch (option) {
            case "--ready-timeout" -> c.readyTimeout();
            case "--drain-timeout" -> c.drainTimeout();
            case "--restart-backoff-min" -> c.restartBackoffMin();
            default -> c.restartBackoffMax();
        };
    }

    @Test
    void minReadyIsZeroByDefaultAndFromZeroToAnHour() {
        assertEquals(Duration.ZERO, parse("--", "a").minReady());
        assertEquals(Duration.ZERO, parse("--", "a").settings().minReady());
        for (String zero : List.of("0", "0s", "0ms", "000m")) {
            assertEquals(Duration.ZERO, parse("--min-ready", zero, "--", "a").minReady(), zero);
        }
        assertEquals(Duration.ofSeconds(3), parse("--min-ready=3s", "--", "a").settings().minReady());
        assertEquals(Duration.ofHours(1), parse("--min-ready", "60m", "--", "a").minReady());
        for (String beyond : List.of("3600001ms", "61m", "2h", "-3s", "-0s", "999999999999999999h")) {
            assertError("--min-ready: '" + beyond + "' is out of range: from 0 to 1h", "--min-ready", beyond, "--", "a");
        }
        for (String bad : List.of("", "soon", "3", "1.5s", "00", "0x0s", "3 s")) {
            assertError("--min-ready: '" + bad + "' is not a duration like 500ms, 30s, 2m or 1h (from 0 to 1h)",
                    "--min-ready=" + bad, "--", "a");
        }
        assertTrue(BatondHelp.TEXT.contains("0 to 1h (default: 0: drain at READY)."));
        assertEquals(Duration.ofHours(1), Options.MAX_MIN_READY);
    }

    @Test
    void theBackoffsMustBeInOrderWithinTheirBound() {
        Config c = parse("--restart-backoff-min", "1h", "--restart-backoff-max", "60m", "--", "a");
        assertEquals(Duration.ofHours(1), c.restartBackoffMin());
        assertError("--restart-backoff-max must not be below --restart-backoff-min",
                "--restart-backoff-min", "1h", "--restart-backoff-max", "59m", "--", "a");
    }

    @Test
    void maxDrainingIsFromOneTo64() {
        assertEquals(1, parse("--max-draining", "1", "--", "a").maxDraining());
        assertEquals(64, parse("--max-draining", "64", "--", "a").maxDraining());
        assertEquals(64, parse("--max-draining", "0064", "--", "a").maxDraining());
        for (String beyond : List.of("65", "0", "-0", "-1", "2147483648", "99999999999", "-99999999999",
                "99999999999999999999999999999")) {
            assertError("--max-draining: '" + beyond + "' is out of range: from 1 to 64", "--max-draining", beyond, "--", "a");
        }
        for (String bad : List.of("", "-", "1.0", "1e1", "+3", "three", "Infinity", "NaN", "3 ")) {
            if (bad.equals("3 ")) {
                assertEquals(3, parse("--max-draining", bad, "--", "a").maxDraining()); // blanks around are fine
                continue;
            }
            assertError("--max-draining: '" + bad + "' is not a whole number (from 1 to 64)",
                    "--max-draining=" + bad, "--", "a");
        }
    }

    @Test
    void startNiceAndDrainNiceAreFrom0To19AndDefaultTo19() {
        Map<String, java.util.function.ToIntFunction<Config>> options = Map.of(
                "--start-nice", Config::startNice, "--drain-nice", Config::drainNice);
        options.forEach((option, value) -> {
            assertEquals(19, value.applyAsInt(parse("--", "a")), option);
            assertEquals(0, value.applyAsInt(parse(option, "0", "--", "a")), option);
            assertEquals(7, value.applyAsInt(parse(option + "=7", "--", "a")), option);
            for (String beyond : List.of("20", "-1", "99999999999")) {
                assertError(option + ": '" + beyond + "' is out of range: from 0 (off) to 19", option, beyond, "--", "a");
            }
            for (String bad : List.of("", "high", "1.5", "+5")) {
                assertError(option + ": '" + bad + "' is not a whole number (from 0 (off) to 19)", option + "=" + bad, "--", "a");
            }
        });
        Config both = parse("--start-nice", "3", "--drain-nice", "11", "--", "a");
        assertEquals(3, both.startNice());
        assertEquals(11, both.drainNice());
    }

    @Test
    void memoryHeadroomIsAFiniteNumberAboveZeroAndAtMost100000() {
        assertEquals(100000.0, parse("--memory-headroom", "100000", "--", "a").memoryHeadroom());
        assertEquals(100000.0, parse("--memory-headroom", "100000.000", "--", "a").memoryHeadroom());
        assertEquals(0.001, parse("--memory-headroom", "0.001", "--", "a").memoryHeadroom());
        assertEquals(0.5, parse("--memory-headroom", ".5", "--", "a").memoryHeadroom());
        assertEquals(2.0, parse("--memory-headroom", "2.", "--", "a").memoryHeadroom());
        String range = "more than 0, at most 100000";
        for (String beyond : List.of("100000.0001", "100001", "0", "0.0", "-0", "-1", "-0.5",
                "1" + "0".repeat(400), "0." + "0".repeat(400))) {
            assertError("--memory-headroom: '" + beyond + "' is out of range: " + range,
                    "--memory-headroom", beyond, "--", "a");
        }
        for (String bad : List.of("", ".", "-", "NaN", "Infinity", "-Infinity", "1e400", "1e1", "0x1p3", "2d", "2f",
                "1,5", "1.5.1", "one", "+1")) {
            assertError("--memory-headroom: '" + bad + "' is not a number like 1.5 (" + range + ")",
                    "--memory-headroom=" + bad, "--", "a");
        }
    }

    @Test
    void aValueIsShownOnOneLineWhateverItHolds() {
        assertError("--drain-timeout: '3\\n0s' is not a duration like 500ms, 30s, 2m or 1h (from 1ms to 24h)",
                "--drain-timeout", "3\n0s", "--", "a");
        assertError("--drain-timeout: '3\\\\n0s' is not a duration like 500ms, 30s, 2m or 1h (from 1ms to 24h)",
                "--drain-timeout", "3\\n0s", "--", "a");
        assertError("--max-draining: '1\\x1b[2J' is not a whole number (from 1 to 64)", "--max-draining", "1\u001b[2J", "--", "a");
        assertError("--memory-headroom: '1\\u20282' is not a number like 1.5 (more than 0, at most 100000)",
                "--memory-headroom", "1\u20282", "--", "a");
    }

    @Test
    void anEmptyPathIsRefused() {
        assertError("--control: empty path", "--control=", "--", "a");
        assertError("--control: empty path", "--control", "", "--", "a");
        assertError("--handoff-dir: empty path", "--handoff-dir=", "--", "a");
    }

    @Test
    void helpShowsEveryBound() {
        String help = BatondHelp.TEXT;
        assertTrue(help.contains("--ready-timeout=DURATION\n"
                + "                            A new generation must say READY within this; 1ms to 24h (default: 60s)."), help);
        assertTrue(help.contains("SIGKILL; 1ms to 24h\n"), help);
        assertTrue(help.contains("--restart-backoff-max; 1ms to 1h\n"), help);
        assertTrue(help.contains("keeps dying; 1ms to 1h\n"), help);
        assertTrue(help.contains("drain at once, 1 to 64;"), help);
        assertTrue(help.contains("more than 0, at most 100000 (default:\n"), help);
        assertTrue(help.contains("at most 59 bytes long"), help);
        assertTrue(help.contains("at most 107 bytes long"), help);
        assertTrue(help.contains("DURATION is a whole number and a unit: 500ms, 30s, 2m or 1h."), help);
        // The numbers in the help are the ones enforced.
        assertEquals(Duration.ofHours(24), Options.MAX_TIMEOUT);
        assertEquals(Duration.ofHours(1), Options.MAX_BACKOFF);
        assertEquals(64, Options.MAX_DRAINING_LIMIT);
        assertEquals(100_000.0, Options.MAX_HEADROOM);
        assertEquals(59, SocketPaths.MAX_HANDOFF_DIR);
        assertEquals(107, SocketPaths.MAX_SOCKET_PATH);
    }

    @Test
    void twoListenersOfTheSameName() {
        assertError("--listen: two listeners named 'web'", "--listen", "web=127.0.0.1:1", "--listen=web=127.0.0.1:2", "--", "a");
        assertError("--listen: two listeners named '127.0.0.1:1'", "--listen", "127.0.0.1:1", "--listen", "127.0.0.1:1", "--", "a");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-h", "--help"})
    void helpPrintsTheHelpWhateverElseIsThere(String help) {
        assertEquals(BatondHelp.TEXT, answer(help));
        assertEquals(BatondHelp.TEXT, answer("--listen", ":1", help));
        assertEquals(BatondHelp.TEXT, answer("--bogus", help));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-V", "--version", "-hV", "-Vh"})
    void versionPrintsOneLineAndWinsOverHelp(String version) {
        String answer = answer(version);
        assertTrue(answer.matches("batond \\S.*\n"), answer);
        assertEquals(BatondHelp.version() + "\n", answer);
    }

    @Test
    void helpNamesEveryOptionAsParsed() {
        String help = BatondHelp.TEXT;
        for (OptionSpec option : Options.ALL) {
            // picocli's layout: "--listen=[NAME=]HOST:PORT", "--no-memory-check", "-h, --help"
            String shown = option.takesValue() ? option.name() + "=" + option.label()
                    : option.names().size() == 2 ? option.names().get(1) + ", " + option.name() : option.name();
            assertTrue(help.contains("\n      " + shown) || help.contains("\n  " + shown),
                    () -> "batond --help does not describe " + shown);
        }
    }

    @Test
    void helpIsPicocliLayout() {
        assertTrue(BatondHelp.TEXT.startsWith("Usage: batond [-hV] [--no-memory-check]"));
        assertTrue(BatondHelp.TEXT.endsWith("  batond --listen 127.0.0.1:8080 -- java -jar app.jar\n"));
        assertTrue(BatondHelp.TEXT.lines().allMatch(line -> line.length() <= 100 && !line.endsWith(" ")));
    }

    private static Config withEnv(Map<String, String> env, String... args) {
        return Options.parse(args, new PrintStream(new ByteArrayOutputStream()), env);
    }

    private static Config parse(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Config config = Options.parse(args, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals("", out.toString(StandardCharsets.UTF_8), "printed something while parsing");
        return config;
    }

    /** What --help or --version print. */
    private static String answer(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertNull(Options.parse(args, new PrintStream(out, true, StandardCharsets.UTF_8)));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void assertError(String message, String... args) {
        List<String> words = new ArrayList<>(List.of(args));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Options.parse(words.toArray(String[]::new), new PrintStream(new ByteArrayOutputStream())),
                () -> "no error for " + words);
        assertEquals(message, e.getMessage(), () -> "for " + words);
    }
}
