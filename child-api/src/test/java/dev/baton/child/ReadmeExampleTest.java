package dev.baton.child;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** The README's 15-line child is ReadmeExample.main, which compiles. */
class ReadmeExampleTest {

    @Test
    void readmeShowsTheCompiledExample() throws Exception {
        String source = Files.readString(Path.of("src/test/java/dev/baton/child/ReadmeExample.java"));
        String snippet = source.substring(source.indexOf("// README-START\n") + 16, source.indexOf("    // README-END"))
                .lines().map(l -> l.startsWith("    ") ? l.substring(4) : l).collect(Collectors.joining("\n"));
        String readme = Files.readString(Path.of("..", "README.md"));
        assertTrue(readme.contains("```java\n" + snippet + "\n```"),
                "README.md's child example differs from ReadmeExample.main:\n" + snippet);
    }
}
