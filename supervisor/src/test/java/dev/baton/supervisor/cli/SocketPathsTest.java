package dev.baton.supervisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control socket's path and the handoff directory, checked before batond creates anything. */
public class SocketPathsTest {
    @TempDir
    Path tmp;

    @Test
    void aControlSocketInAnExistingOrCreatableDirectoryIsFine() throws IOException {
        assertEquals(Optional.empty(), control(tmp.resolve("control")));
        assertEquals(Optional.empty(), control(tmp.resolve("a/b/c/control")));
        assertEquals(Optional.empty(), control(tmp.resolve("with space/and\nnewline/control")));
        assertTrue(Files.notExists(tmp.resolve("a")), "checking creates nothing");
    }

    @Test
    void aStaleSocketIsLeftToControlServer() throws IOException {
        Path socket = tmp.resolve("control");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            assertEquals(Optional.empty(), control(socket));
        }
    }

    @Test
    void directoriesAreNotSockets() {
        assertEquals(Optional.of("--control /: is a directory"), control(Path.of("/")));
        assertEquals(Optional.of("--control " + tmp + ": is a directory"), control(tmp));
        assertEquals(Optional.of("--control .: is a directory"), control(Path.of(".")));
    }

    @Test
    void aRegularFileOrASymlinkIsRefusedAndLeftAlone() throws IOException {
        Path file = Files.writeString(tmp.resolve("notes.txt"), "precious");
        assertEquals(Optional.of("--control " + file + ": is a regular file, not a socket: batond does not replace it"),
                control(file));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), file);
        assertEquals(Optional.of("--control " + link
                + ": is a symbolic link: batond neither follows nor replaces one; give the path itself"), control(link));
        Path dangling = Files.createSymbolicLink(tmp.resolve("dangling"), tmp.resolve("nowhere"));
        assertTrue(control(dangling).orElseThrow().contains("is a symbolic link"));
        assertEquals("precious", Files.readString(file));
    }

    @Test
    void aFileOnTheWayIsNotADirectory() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertEquals(Optional.of("--control " + file + "/sub/control: " + file + " is not a directory"),
                control(file.resolve("sub/control")));
        assertEquals(Optional.of("--control " + file + "/control: " + file + " is not a directory"),
                control(file.resolve("control")));
    }

    @Test
    void theUnixSocketLimitIs107Bytes() {
        String base = tmp + "/";
        Path longest = Path.of(base + "x".repeat(107 - base.length()));
        assertEquals(Optional.empty(), control(longest));
        Path tooLong = Path.of(base + "x".repeat(108 - base.length()));
        assertEquals(Optional.of("--control " + tooLong + ": too long for a Unix socket (108 bytes, at most 107)"),
                control(tooLong));
        // Bytes, not characters: é is two.
        Path accents = Path.of(base + "é".repeat(54 - base.length() / 2));
        assertTrue(control(accents).orElseThrow().contains("too long for a Unix socket"), accents::toString);
    }

    @Test
    void anAbsurdPathIsShownShortAndOnOneLine() {
        Path absurd = Path.of("/" + "a".repeat(2000) + "\n" + "b".repeat(2000));
        String problem = control(absurd).orElseThrow();
        assertEquals("--control /" + "a".repeat(79) + "..." + "b".repeat(30)
                + ": too long for a Unix socket (4002 bytes, at most 107)", problem);
    }

    @Test
    void pathsArePrintedSafely() {
        assertEquals("/run/baton/control", SocketPaths.shown("/run/baton/control"));
        assertEquals("/run/bâton/contrôle", SocketPaths.shown("/run/bâton/contrôle"));
        assertEquals("'/tmp/with space'", SocketPaths.shown("/tmp/with space"));
        assertEquals("'/tmp/new\\nline'", SocketPaths.shown("/tmp/new\nline"));
        assertEquals("'/tmp/tab\\tcr\\rnul\\x00esc\\x1bdel\\x7f'", SocketPaths.shown("/tmp/tab\tcr\rnul\0esc\u001bdel\u007f"));
        assertEquals("'/tmp/it\\'s'", SocketPaths.shown("/tmp/it's"));
        assertEquals("'/tmp/back\\\\slash'", SocketPaths.shown("/tmp/back\\slash"));
        assertEquals("'/tmp/ls\\u2028ps\\u2029'", SocketPaths.shown("/tmp/ls\u2028ps\u2029"));
        assertEquals("''", SocketPaths.shown(""));
    }

    @Test
    void aHandoffDirectoryMustExistBeADirectoryAndLeaveRoomForTheSocket() throws IOException {
        assertEquals(Optional.empty(), handoff(tmp));
        assertEquals(Optional.of("--handoff-dir /nonexistent/x: no such directory"), handoff(Path.of("/nonexistent/x")));
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertEquals(Optional.of("--handoff-dir " + file + ": not a directory"), handoff(file));
        assertEquals(Optional.of("--handoff-dir " + file + "/x: no such directory"), handoff(file.resolve("x")));
        Path spaced = Files.createDirectory(tmp.resolve("a b\nc"));
        assertEquals(Optional.empty(), handoff(spaced));
        assertEquals(Optional.of("--handoff-dir '" + tmp + "/a b\\nc/x': no such directory"), handoff(spaced.resolve("x")));

        String base = tmp + "/";
        Path longest = Files.createDirectory(Path.of(base + "d".repeat(59 - base.length())));
        assertEquals(Optional.empty(), handoff(longest));
        Path tooLong = Files.createDirectory(Path.of(base + "d".repeat(60 - base.length())));
        assertEquals(Optional.of("--handoff-dir " + tooLong + ": too long (60 bytes, at most 59): the handoff socket"
                + " DIR/baton-HASH/handoff.sock must fit the 107 bytes of a Unix socket path"), handoff(tooLong));
        // What HandoffServer makes there fits, whatever batond's pid: 7 digits at most, and 20 for the random part.
        String socket = longest + "/baton-4194304-" + Long.toUnsignedString(-1L) + "/handoff.sock";
        assertEquals(107, socket.length());
    }

    @Test
    void theLabelSaysWhereAPathCameFrom() {
        assertEquals(Optional.of("handoff directory /nonexistent/x: no such directory"),
                SocketPaths.handoffDirProblem("handoff directory", Path.of("/nonexistent/x")));
        assertEquals(Optional.of("control socket /: is a directory"), SocketPaths.controlProblem("control socket", Path.of("/")));
        assertEquals(Optional.of("--control: empty path"), control(Path.of("")));
        assertEquals(Optional.of("--handoff-dir: empty path"), handoff(Path.of("")));
    }

    @Test
    void exceptionsBecomeOneLineNamingTheFileAndTheReason() {
        assertEquals("/x: Permission denied", SocketPaths.describe(new AccessDeniedException("/x")));
        assertEquals("/x: No such file or directory", SocketPaths.describe(new NoSuchFileException("/x")));
        assertEquals("'/a b': Read-only file system",
                SocketPaths.describe(new FileSystemException("/a b", null, "Read-only file system")));
        assertEquals("/c is in use by another batond\\nreally", SocketPaths.describe(new IOException("/c is in use by another batond\nreally")));
        assertEquals("IOException", SocketPaths.describe(new IOException()));
    }

    private static Optional<String> control(Path path) {
        return SocketPaths.controlProblem("--control", path);
    }

    private static Optional<String> handoff(Path dir) {
        return SocketPaths.handoffDirProblem("--handoff-dir", dir);
    }
}
