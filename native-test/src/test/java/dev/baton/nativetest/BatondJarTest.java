package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What batond.jar is built from: batond's own classes, the protocol module, jffi, slf4j-api and the
 * Prometheus client, and none of the libraries that child-api (jnr-ffi, jnr-posix, jnr-unixsocket,
 * Netty) and batonctl (picocli, jackson) use. BatondFootprintTest checks what batond loads; this
 * checks what it ships, so a dependency that creeps back into supervisor/pom.xml fails here even
 * when nothing loads it yet.
 */
class BatondJarTest {
    /** Entry name prefixes no batond.jar entry may start with (classes, resources, META-INF/maven poms aside). */
    static final List<String> FORBIDDEN = List.of(
            "jnr/ffi/", "jnr/posix/", "jnr/unixsocket/", "io/netty/", "picocli/", "com/fasterxml/jackson/");

    @Test
    @Timeout(60)
    void batondJarCarriesNoneOfTheLibrariesOfChildApiAndBatonctl() throws IOException {
        List<String> entries = entries(Artifacts.batondJar());
        assertTrue(entries.contains("dev/baton/supervisor/Batond.class"), "batond's own classes are there");
        assertTrue(entries.contains("dev/baton/protocol/Frame.class"), "and the protocol's");
        assertTrue(entries.contains("com/kenai/jffi/Invoker.class"), "and jffi, which LibcNative calls libc through");
        List<String> forbidden = entries.stream()
                .filter(e -> FORBIDDEN.stream().anyMatch(e::startsWith))
                .toList();
        assertEquals(List.of(), forbidden.stream().limit(20).toList(),
                () -> forbidden.size() + " entries of batond.jar come from libraries batond must not carry");
        assertTrue(entries.stream().noneMatch(e -> e.startsWith("dev/baton/child/") || e.startsWith("dev/baton/batonctl/")),
                "batond.jar has no class of child-api or batonctl");
    }

    @Test
    @Timeout(60)
    void batonctlJarHasItsOwnMainAndNoBatondClass() throws IOException {
        Path jar = Artifacts.batonctlJar();
        List<String> entries = entries(jar);
        assertTrue(entries.contains("dev/baton/batonctl/Batonctl.class"), entries::toString);
        assertTrue(entries.stream().noneMatch(e -> e.startsWith("dev/baton/supervisor/") || e.startsWith("com/kenai/jffi/")),
                "batonctl does not depend on supervisor");
        try (JarFile file = new JarFile(jar.toFile())) {
            assertEquals("dev.baton.batonctl.Batonctl", file.getManifest().getMainAttributes().getValue("Main-Class"));
        }
    }

    private static List<String> entries(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream().map(ZipEntry::getName).toList();
        }
    }
}
