package dev.baton.supervisor.cli;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * The paths where batond creates Unix sockets, checked before anything is created: the control
 * socket ({@code --control}) and the directory the handoff socket's private directory goes in
 * ({@code --handoff-dir}). A problem is one line that names the path (printed safely: spaces,
 * newlines and other control characters quoted and escaped) and the cause, e.g.
 * {@code --control /: is a directory}. What only shows when the socket is created (a live
 * batond on the path, a directory of another user) is ControlServer's and HandoffServer's to
 * report; {@link #describe(IOException)} turns their exceptions into such a line too.
 */
public final class SocketPaths {
    /** Linux's sun_path holds 108 bytes, the last of them the terminating NUL. */
    static final int MAX_SOCKET_PATH = 107;
    /**
     * What HandoffServer adds to the handoff directory's path: the private directory, named after
     * the control socket's path ({@link #stableHandoffDir}), and the socket. The limit below still
     * leaves room for the longer name earlier versions used (baton-PID-RANDOM), so that a directory
     * accepted once stays accepted.
     */
    static final String HANDOFF_SOCKET_IN_DIR = "/baton-HASH/handoff.sock";
    /** The longest --handoff-dir: 59 bytes. */
    static final int MAX_HANDOFF_DIR = MAX_SOCKET_PATH - "/baton-4194304-18446744073709551615/handoff.sock".length();
    /** Longer paths are shown by their start and end only. */
    private static final int SHOWN_MAX = 120;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private SocketPaths() {}

    /**
     * The handoff socket's private directory: {@code parent/baton-HASH}, HASH the first 16 hex digits
     * of the SHA-256 of the control socket's absolute path. The same from one run of batond to the
     * next with the same configuration, so that the children of a batond that died find the next one
     * at the {@code BATON_SOCKET} they were given; two batonds with different control sockets never share it.
     */
    public static Path stableHandoffDir(Path parent, Path control) {
        byte[] digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256").digest(
                    control.toAbsolutePath().normalize().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        StringBuilder hex = new StringBuilder("baton-");
        for (int i = 0; i < 8; i++) {
            hex.append(String.format("%02x", digest[i]));
        }
        return parent.resolve(hex.toString());
    }

    /** What is wrong with {@code path} as the control socket; {@code label} is "--control" or the like. */
    public static Optional<String> controlProblem(String label, Path path) {
        String text = path.toString();
        if (text.isEmpty()) {
            return Optional.of(label + ": empty path");
        }
        String named = label + " " + shown(text) + ": ";
        int bytes = bytes(text);
        if (bytes > MAX_SOCKET_PATH) {
            return Optional.of(named + "too long for a Unix socket (" + bytes + " bytes, at most " + MAX_SOCKET_PATH + ")");
        }
        BasicFileAttributes existing = attributesOf(path);
        if (existing != null) {
            if (existing.isDirectory()) {
                return Optional.of(named + "is a directory");
            }
            if (existing.isSymbolicLink()) {
                return Optional.of(named + "is a symbolic link: batond neither follows nor replaces one; give the path itself");
            }
            if (existing.isRegularFile()) {
                return Optional.of(named + "is a regular file, not a socket: batond does not replace it");
            }
            if (!isSocket(path)) {
                return Optional.of(named + "is not a socket: batond does not replace it");
            }
            // A socket: a live batond's (ControlServer refuses it) or a stale one (replaced).
        }
        Path parent = path.toAbsolutePath().getParent();
        if (parent == null) {
            return Optional.of(named + "is a directory"); // "/", had it not existed
        }
        // ControlServer creates missing parents: the nearest one that exists must let it.
        Path missing = null;
        Path ancestor = parent;
        while (ancestor != null && !Files.exists(ancestor)) {
            missing = ancestor;
            ancestor = ancestor.getParent();
        }
        if (ancestor == null) {
            return Optional.empty();
        }
        if (!Files.isDirectory(ancestor)) {
            return Optional.of(named + shown(ancestor.toString()) + " is not a directory");
        }
        Optional<String> unwritable = unwritable(ancestor);
        if (unwritable.isPresent()) {
            return Optional.of(named + (missing == null ? "cannot create a socket in " + shown(ancestor.toString())
                    : "cannot create " + shown(missing.toString())) + ": " + unwritable.get());
        }
        return Optional.empty();
    }

    /**
     * What is wrong with {@code dir} as the handoff socket's parent: HandoffServer creates
     * {@code dir/baton-HASH/handoff.sock} in it, and does not create {@code dir} itself.
     */
    public static Optional<String> handoffDirProblem(String label, Path dir) {
        String text = dir.toString();
        if (text.isEmpty()) {
            return Optional.of(label + ": empty path");
        }
        String named = label + " " + shown(text) + ": ";
        int bytes = bytes(text);
        if (bytes > MAX_HANDOFF_DIR) {
            return Optional.of(named + "too long (" + bytes + " bytes, at most " + MAX_HANDOFF_DIR
                    + "): the handoff socket DIR" + HANDOFF_SOCKET_IN_DIR + " must fit the " + MAX_SOCKET_PATH
                    + " bytes of a Unix socket path");
        }
        if (!Files.exists(dir)) {
            return Optional.of(named + "no such directory");
        }
        if (!Files.isDirectory(dir)) {
            return Optional.of(named + "not a directory");
        }
        return unwritable(dir).map(why -> named + "cannot create a directory in it: " + why);
    }

    /**
     * An exception of ControlServer or HandoffServer as one line: the file and the reason for a
     * FileSystemException (whose message alone can be just the file's name), the message otherwise.
     */
    public static String describe(IOException e) {
        if (e instanceof FileSystemException f) {
            String reason = f.getReason() != null ? f.getReason()
                    : f instanceof AccessDeniedException ? "Permission denied"
                    : f instanceof NoSuchFileException ? "No such file or directory"
                    : f instanceof NotDirectoryException ? "Not a directory"
                    : f instanceof FileAlreadyExistsException ? "File exists"
                    : f instanceof DirectoryNotEmptyException ? "Directory not empty"
                    : f.getClass().getSimpleName();
            return f.getFile() != null ? shown(f.getFile()) + ": " + printable(reason) : printable(reason);
        }
        return printable(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
    }

    /**
     * A path as an error line shows it: as it is when that is unambiguous, else in single quotes
     * with control characters, backslashes and quotes escaped; a very long one by its start and end.
     */
    public static String shown(String path) {
        String text = path;
        if (text.length() > SHOWN_MAX) {
            int head = cut(text, SHOWN_MAX - 40);
            int tail = cut(text, text.length() - 30);
            text = text.substring(0, head) + "..." + text.substring(tail);
        }
        boolean plain = !text.isEmpty();
        for (int i = 0; i < text.length() && plain; i++) {
            char c = text.charAt(i);
            plain = c != ' ' && c != '\'' && c != '"' && c != '\\' && !escaped(c);
        }
        return plain ? text : "'" + printable(text).replace("'", "\\'") + "'";
    }

    /** {@code text} with line breaks, other control characters and backslashes escaped: one line, always. */
    static String printable(String text) {
        StringBuilder b = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' || escaped(c)) {
                if (b == null) {
                    b = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                switch (c) {
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default -> {
                        String hex = Integer.toHexString(c);
                        b.append(c < 0x100 ? "\\x" + (hex.length() < 2 ? "0" : "") + hex
                                : "\\u" + "0000".substring(hex.length()) + hex);
                    }
                }
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? text : b.toString();
    }

    private static boolean escaped(char c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }

    /** An index near {@code i} that does not split a surrogate pair. */
    private static int cut(String text, int i) {
        return i > 0 && Character.isHighSurrogate(text.charAt(i - 1)) ? i - 1 : i;
    }

    /** The path's length as the kernel sees it: encoded as the JDK encodes file names. */
    private static int bytes(String path) {
        Charset charset;
        try {
            charset = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException unknown) {
            charset = java.nio.charset.StandardCharsets.UTF_8;
        }
        return path.getBytes(charset).length;
    }

    private static BasicFileAttributes attributesOf(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException absent) {
            return null;
        }
    }

    private static boolean isSocket(Path path) {
        try {
            int mode = ((Number) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS)).intValue();
            return (mode & S_IFMT) == S_IFSOCK;
        } catch (IOException | RuntimeException e) {
            return true; // cannot tell: let ControlServer try, and report what it meets
        }
    }

    /** Why batond cannot create an entry in the existing directory {@code dir}, if it cannot. */
    private static Optional<String> unwritable(Path dir) {
        try {
            if (Files.getFileStore(dir).isReadOnly()) {
                return Optional.of("Read-only file system");
            }
        } catch (IOException e) {
            // no answer: access(2) below decides
        }
        // access(2): root passes unless the file system is read-only.
        if (!Files.isWritable(dir) || !Files.isExecutable(dir)) {
            return Optional.of("Permission denied");
        }
        return Optional.empty();
    }
}
