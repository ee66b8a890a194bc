package dev.baton.supervisor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The README's option list is batond --help, word for word. */
class ReadmeTest {

    @Test
    void readmeShowsTheCurrentHelp() throws Exception {
        StringWriter help = new StringWriter();
        new CommandLine(new Options()).usage(new PrintWriter(help, true));
        String readme = Files.readString(Path.of("..", "README.md"));
        assertTrue(readme.contains("```\n" + help.toString().strip() + "\n```"),
                "README.md's 'batond options' differs from batond --help; paste the output of bin/batond --help");
    }
}
