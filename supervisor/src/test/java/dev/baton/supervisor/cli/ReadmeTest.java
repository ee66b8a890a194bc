package dev.baton.supervisor.cli;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The README's option list is batond --help, byte for byte; its test command is what CI runs. */
public class ReadmeTest {

    @Test
    void readmeShowsTheCurrentHelp() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertNull(Options.parse(new String[] {"--help"}, new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        String help = bytes.toString(StandardCharsets.UTF_8);
        String readme = Files.readString(Path.of("..", "README.md"));
        assertTrue(readme.contains("```\n" + help + "```\n"),
                "README.md's 'batond options' differs from batond --help; paste the output of bin/batond --help");
    }

    @Test
    void ciRunsTheReadmesTestCommand() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String quickStart = readme.substring(readme.indexOf("## Quick start"), readme.indexOf("\n## ", readme.indexOf("## Quick start") + 1));
        String command = quickStart.lines().filter(l -> l.startsWith("    ") && l.contains("mvn")).findFirst()
                .orElseThrow(() -> new AssertionError("no test command with mvn in the README's quick start")).trim();
        List<String> ci = Files.readAllLines(Path.of("..", ".ci", "run"));
        assertTrue(ci.contains(command), ".ci/run does not run the README's test command '" + command + "': " + ci);
    }
}
