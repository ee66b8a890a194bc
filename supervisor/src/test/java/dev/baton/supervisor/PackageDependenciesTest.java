package dev.baton.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * batond's packages and which way their dependencies run, read from the sources' imports and
 * fully qualified names, so that the structure cannot quietly erode:
 * <ul>
 *   <li>lifecycle (the state machine) depends on none of batond's other packages, nor on the
 *       protocol's wire format, nor on the JDK's sockets, files or channels;</li>
 *   <li>no two packages depend on each other, directly or round a cycle; only the root package
 *       (Batond, RealActions, EventLoop: the wiring) depends on them all;</li>
 *   <li>nothing in batond reflects into the JDK (batond.jar opens no JDK package).</li>
 * </ul>
 */
class PackageDependenciesTest {
    static final Path SOURCES = Path.of("src/main/java/dev/baton/supervisor");
    private static final String ROOT = "dev.baton.supervisor";
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.baton\\.(supervisor(?:\\.[a-z]+)?|protocol|child)\\.[A-Z]");
    private static final Pattern JDK_IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)\\.[\\w*]+;", Pattern.MULTILINE);

    /** package -> the packages of batond (and dev.baton modules) it refers to. */
    static Map<String, Set<String>> dependencies(Path sources) throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        for (Path file : javaFiles(sources)) {
            String pkg = packageOf(sources, file);
            Set<String> uses = graph.computeIfAbsent(pkg, p -> new TreeSet<>());
            Matcher m = REFERENCE.matcher(code(file));
            while (m.find()) {
                String used = "dev.baton." + m.group(1);
                if (!used.equals(pkg)) {
                    uses.add(used);
                }
            }
        }
        return graph;
    }

    @Test
    void theLifecycleDependsOnNoOtherPackageOfBatondNorOnTheWireNorOnIo() throws IOException {
        Map<String, Set<String>> graph = dependencies(SOURCES);
        assertEquals(Set.of(), graph.get(ROOT + ".lifecycle"), "the lifecycle's dependencies on batond's other packages");
        List<String> io = new ArrayList<>();
        for (Path file : javaFiles(SOURCES.resolve("lifecycle"))) {
            Matcher m = JDK_IMPORT.matcher(Files.readString(file));
            while (m.find()) {
                String imported = m.group(1);
                if (imported.startsWith("java.nio.channels") || imported.startsWith("java.nio.file") || imported.startsWith("java.io") && !m.group().contains("IOException")
                        || imported.equals("java.net") && !m.group().contains("InetSocketAddress")
                        || imported.startsWith("com.kenai") || imported.startsWith("sun.")) {
                    io.add(SOURCES.relativize(file) + ": " + m.group());
                }
            }
        }
        assertEquals(List.of(), io, "I/O in the lifecycle");
    }

    @Test
    void dependenciesRunOneWayWithoutCycles() throws IOException {
        Map<String, Set<String>> graph = dependencies(SOURCES);
        graph.remove(ROOT); // the wiring uses everything, and nothing uses it
        List<String> usesTheWiring = new ArrayList<>();
        graph.forEach((pkg, uses) -> {
            if (uses.contains(ROOT)) {
                usesTheWiring.add(pkg);
            }
        });
        assertEquals(List.of(), usesTheWiring, "packages that depend on the wiring in " + ROOT);
        assertEquals(List.of(), cycles(graph), "dependency cycles between batond's packages: " + graph);
    }

    @Test
    void batondReflectsIntoNoJdkInternals() throws IOException {
        List<String> found = new ArrayList<>();
        Pattern reflection = Pattern.compile("setAccessible|getDeclared(?:Method|Field|Constructor)|\\bsun\\.nio\\.|jdk\\.internal\\.|sun\\.misc\\.Unsafe");
        for (Path file : javaFiles(SOURCES)) {
            Matcher m = reflection.matcher(code(file));
            while (m.find()) {
                found.add(SOURCES.relativize(file) + ": " + m.group());
            }
        }
        assertEquals(List.of(), found);
    }

    /** Every cycle found by a depth-first walk, each as "a -> b -> a". */
    static List<String> cycles(Map<String, Set<String>> graph) {
        List<String> found = new ArrayList<>();
        for (String start : graph.keySet()) {
            walk(graph, start, new ArrayList<>(List.of(start)), found);
        }
        return found;
    }

    private static void walk(Map<String, Set<String>> graph, String at, List<String> path, List<String> found) {
        for (String next : graph.getOrDefault(at, Set.of())) {
            if (next.equals(path.get(0))) {
                found.add(String.join(" -> ", path) + " -> " + next);
            } else if (!path.contains(next) && next.compareTo(path.get(0)) > 0) {
                path.add(next);
                walk(graph, next, path, found);
                path.remove(path.size() - 1);
            }
        }
    }

    private static List<Path> javaFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static String packageOf(Path sources, Path file) {
        Path relative = sources.relativize(file.getParent());
        return relative.toString().isEmpty() ? ROOT : ROOT + "." + relative.toString().replace('/', '.');
    }

    /** The source without comments and string literals: what the compiler links, not what prose mentions. */
    static String code(Path file) throws IOException {
        return Files.readString(file).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "")
                .replaceAll("\"(?:\\\\.|[^\"\\\\\\n])*\"", "\"\"");
    }
}
