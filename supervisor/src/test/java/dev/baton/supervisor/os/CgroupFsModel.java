package dev.baton.supervisor.os;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A model of cgroupfs (cgroup v2) on a temporary directory, with the kernel's rules that
 * {@link CgroupCpuWeight} must respect: mkdir creates the interface files (cpu.weight only where
 * the parent enabled cpu for its children), no file can be created, a process is in one cgroup
 * at a time, a non-root cgroup with controllers enabled for its children holds no process (and
 * one holding processes cannot enable any), only an empty cgroup can be removed. Not a kernel:
 * what the real cgroupfs does beyond these rules is not modelled.
 */
final class CgroupFsModel implements CgroupFs {
    static final String EBUSY = "Device or resource busy";

    final Path root;
    /** Writes (or a mkdir) that fail, by path, with the errno's words. */
    final Map<Path, String> failures = new HashMap<>();
    /** Paths batond may not write. */
    final Set<Path> readOnly = new HashSet<>();

    CgroupFsModel(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root);
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory pids");
        Files.writeString(root.resolve("cgroup.subtree_control"), "");
        Files.writeString(root.resolve("cgroup.procs"), "");
    }

    /** A cgroup as a service manager would make it: under root, these controllers delegated, these processes in it. */
    Path delegated(String path, String controllers, long... pids) throws IOException {
        Path dir = root;
        for (String part : path.substring(1).split("/")) {
            Path parent = dir;
            dir = dir.resolve(part);
            if (!Files.isDirectory(dir)) {
                Files.writeString(parent.resolve("cgroup.subtree_control"), controllers);
                mkdir(dir);
            }
        }
        for (long pid : pids) {
            write(dir.resolve("cgroup.procs"), Long.toString(pid));
        }
        return dir;
    }

    /** The process exits: it leaves its cgroup. */
    void exit(long pid) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path procs : all.filter(p -> p.getFileName().toString().equals("cgroup.procs")).toList()) {
                List<String> pids = new ArrayList<>(words(procs));
                if (pids.remove(Long.toString(pid))) {
                    Files.writeString(procs, String.join("\n", pids));
                }
            }
        }
    }

    List<String> words(Path file) throws IOException {
        String s = Files.readString(file).strip();
        return s.isEmpty() ? List.of() : Arrays.asList(s.split("\\s+"));
    }

    @Override
    public String read(Path file) throws IOException {
        return Files.readString(file);
    }

    @Override
    public void write(Path file, String value) throws IOException {
        fail(file);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString());
        }
        Path dir = file.getParent();
        switch (file.getFileName().toString()) {
            case "cgroup.procs" -> {
                if (!dir.equals(root) && !words(dir.resolve("cgroup.subtree_control")).isEmpty()) {
                    throw new FileSystemException(file.toString(), null, EBUSY); // no internal processes
                }
                try (Stream<Path> all = Files.walk(root)) {
                    for (Path procs : all.filter(p -> p.getFileName().toString().equals("cgroup.procs")).toList()) {
                        List<String> pids = new ArrayList<>(words(procs));
                        if (pids.remove(value.strip())) {
                            Files.writeString(procs, String.join("\n", pids));
                        }
                    }
                }
                List<String> pids = new ArrayList<>(words(file));
                pids.add(value.strip());
                Files.writeString(file, String.join("\n", pids));
            }
            case "cgroup.subtree_control" -> {
                String controller = value.strip().substring(1);
                if (!words(dir.resolve("cgroup.controllers")).contains(controller)) {
                    throw new FileSystemException(file.toString(), null, "No such file or directory");
                }
                if (!dir.equals(root) && !words(dir.resolve("cgroup.procs")).isEmpty()) {
                    throw new FileSystemException(file.toString(), null, EBUSY);
                }
                Set<String> enabled = new java.util.LinkedHashSet<>(words(file));
                enabled.add(controller);
                Files.writeString(file, String.join(" ", enabled));
                try (Stream<Path> children = Files.list(dir)) {
                    for (Path child : children.filter(Files::isDirectory).toList()) {
                        Files.writeString(child.resolve("cgroup.controllers"), String.join(" ", enabled));
                        if (controller.equals("cpu")) {
                            Files.writeString(child.resolve("cpu.weight"), "100");
                        }
                    }
                }
            }
            case "cpu.weight" -> {
                int weight;
                try {
                    weight = Integer.parseInt(value.strip());
                } catch (NumberFormatException e) {
                    weight = 0;
                }
                if (weight < 1 || weight > 10000) {
                    throw new FileSystemException(file.toString(), null, "Invalid argument");
                }
                Files.writeString(file, Integer.toString(weight));
            }
            default -> Files.writeString(file, value);
        }
    }

    @Override
    public void mkdir(Path dir) throws IOException {
        fail(dir);
        if (Files.exists(dir)) {
            throw new FileAlreadyExistsException(dir.toString());
        }
        Files.createDirectory(dir);
        List<String> controllers = words(dir.getParent().resolve("cgroup.subtree_control"));
        Files.writeString(dir.resolve("cgroup.controllers"), String.join(" ", controllers));
        Files.writeString(dir.resolve("cgroup.subtree_control"), "");
        Files.writeString(dir.resolve("cgroup.procs"), "");
        if (controllers.contains("cpu")) {
            Files.writeString(dir.resolve("cpu.weight"), "100");
        }
    }

    @Override
    public void rmdir(Path dir) throws IOException {
        fail(dir);
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString());
        }
        try (Stream<Path> entries = Files.list(dir)) {
            if (!words(dir.resolve("cgroup.procs")).isEmpty() || entries.anyMatch(Files::isDirectory)) {
                throw new FileSystemException(dir.toString(), null, EBUSY);
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    @Override
    public boolean writable(Path path) {
        return !readOnly.contains(path) && Files.exists(path);
    }

    @Override
    public boolean isDirectory(Path path) {
        return Files.isDirectory(path);
    }

    private void fail(Path path) throws FileSystemException {
        String why = failures.get(path);
        if (why != null) {
            throw new FileSystemException(path.toString(), null, why);
        }
    }
}
