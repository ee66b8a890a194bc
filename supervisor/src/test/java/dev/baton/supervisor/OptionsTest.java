package dev.baton.supervisor;

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
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** batond's command line, read by hand the way picocli read it before: values, defaults, errors. */
class OptionsTest {

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
        assertEquals(ControlPath.fromEnvironment(System.getenv()), c.control());
        assertNull(c.metrics());
        assertEquals(List.of("java", "-jar", "app.jar"), c.command());
    }

    @Test
    void everyOptionWithItsValueAsTheNextWord() {
        assertEverything(parse("--listen", "web=127.0.0.1:8080", "--listen", "[::1]:9090",
                "--ready-timeout", "90s", "--drain-timeout", "2m", "--restart-backoff-min", "500ms",
                "--restart-backoff-max", "1h", "--max-draining", "3", "--memory-headroom", "1.5", "--no-memory-check",
                "--handoff-dir", "/run/h", "--control", "/run/c", "--metrics", "127.0.0.1:9100",
                "--", "java", "-jar", "app.jar"));
    }

    @Test
    void everyOptionWithItsValueAfterAnEqualsSign() {
        assertEverything(parse("--listen=web=127.0.0.1:8080", "--listen=[::1]:9090",
                "--ready-timeout=90s", "--drain-timeout=2m", "--restart-backoff-min=500ms",
                "--restart-backoff-max=1h", "--max-draining=3", "--memory-headroom=1.5", "--no-memory-check",
                "--handoff-dir=/run/h", "--control=/run/c", "--metrics=127.0.0.1:9100",
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
        assertError("--max-draining must be at least 1", "--max-draining", "-3", "--", "a");
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
    void badNumbersNameTheOption() {
        assertError("Invalid value for option '--max-draining': 'x' is not an int", "--max-draining", "x", "--", "a");
        assertError("Invalid value for option '--max-draining': '1.5' is not an int", "--max-draining=1.5", "--", "a");
        assertError("Invalid value for option '--max-draining': '99999999999' is not an int",
                "--max-draining", "99999999999", "--", "a");
        assertError("Invalid value for option '--memory-headroom': 'abc' is not a double",
                "--memory-headroom=abc", "--", "a");
        // Reported first, as picocli did while parsing: even before a missing command.
        assertError("Invalid value for option '--max-draining': 'x' is not an int", "--max-draining", "x");
    }

    @Test
    void valuesAreChecked() {
        assertError("--max-draining must be at least 1", "--max-draining", "0", "--", "a");
        assertError("--memory-headroom must be more than 0", "--memory-headroom", "0", "--", "a");
        assertError("--memory-headroom must be more than 0", "--memory-headroom", "NaN", "--", "a");
        assertError("--ready-timeout: '0s' must be more than zero", "--ready-timeout", "0s", "--", "a");
        assertError("--drain-timeout: 'soon' is not a duration like 500ms, 30s, 2m or 1h",
                "--drain-timeout", "soon", "--", "a");
        assertError("--restart-backoff-max must not be below --restart-backoff-min",
                "--restart-backoff-min", "10s", "--restart-backoff-max", "1s", "--", "a");
        assertError("--metrics 'nonsense' is not HOST:PORT (for IPv6 write [::1]:8080)", "--metrics", "nonsense", "--", "a");
        assertError("--listen 'nonsense' is not HOST:PORT (for IPv6 write [::1]:8080)", "--listen", "nonsense", "--", "a");
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
