package dev.baton.supervisor.cli;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The README's option list is batond --help, byte for byte. */
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
}
