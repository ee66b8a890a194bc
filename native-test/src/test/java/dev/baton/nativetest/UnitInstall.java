package dev.baton.nativetest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The repository's unit files installed into a scratch tree, as the README installs them, so that
 * {@code systemd-analyze verify} can check them on a machine without /opt/baton.
 *
 * <p>{@code ROOT/opt/baton/bin} holds copies of the repository's launchers ({@code bin/batond},
 * {@code bin/batonctl}); {@code ROOT/units} holds the unit files with {@code /opt/baton/}
 * rewritten to {@code ROOT/opt/baton/}, and nothing else changed. systemd checks that Exec
 * binaries exist and are executable, so a unit naming a launcher the repository does not ship
 * fails verification. Other paths (the app's jar, /usr/bin/java) are arguments systemd does not
 * check, and stay as they are.
 */
final class UnitInstall {
    static final String PREFIX = "/opt/baton/";

    private final Path root;

    private UnitInstall(Path root) {
        this.root = root;
    }

    /** Installs {@code systemd/*} and {@code bin/*} of the repository under {@code root}. */
    static UnitInstall into(Path root) throws IOException {
        if (root.toString().chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("systemd splits Exec lines on spaces: " + root);
        }
        UnitInstall install = new UnitInstall(root);
        Path bin = Files.createDirectories(install.installed("bin"));
        for (Path launcher : list(Artifacts.root().resolve("bin"))) {
            Files.copy(launcher, bin.resolve(launcher.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
        }
        Path units = Files.createDirectories(root.resolve("units"));
        for (Path unit : sourceUnits()) {
            String text = Files.readString(unit).replace(PREFIX, install.installed("") + "/");
            Files.writeString(units.resolve(unit.getFileName()), text);
        }
        return install;
    }

    /** The repository's unit files: every file under systemd/, sorted by name. */
    static List<Path> sourceUnits() throws IOException {
        return list(Artifacts.root().resolve("systemd"));
    }

    /** The installed (rewritten) copy of unit {@code name}. */
    Path unit(String name) {
        return root.resolve("units").resolve(name);
    }

    /** {@code ROOT/opt/baton/relative}. */
    Path installed(String relative) {
        return root.resolve(PREFIX.substring(1)).resolve(relative);
    }

    /** Rewrites the installed copy of unit {@code name}: to show that verification catches a mistake. */
    void edit(String name, UnaryOperator<String> change) throws IOException {
        Path unit = unit(name);
        String before = Files.readString(unit);
        String after = change.apply(before);
        if (after.equals(before)) {
            throw new IllegalArgumentException("the edit changed nothing in " + name);
        }
        Files.writeString(unit, after);
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
