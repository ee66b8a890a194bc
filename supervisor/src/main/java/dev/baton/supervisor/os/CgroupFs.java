package dev.baton.supervisor.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The few operations {@link CgroupCpuWeight} does on cgroupfs. Real: plain file calls, which the
 * kernel turns into cgroup operations (mkdir creates a cgroup with its interface files, a write
 * to cgroup.procs moves a process, rmdir removes an empty cgroup). Unit tests give a model of
 * those rules on a temporary directory instead.
 */
interface CgroupFs {
    String read(Path file) throws IOException;

    /** Writes into an interface file that exists: cgroupfs lets no one create files. */
    void write(Path file, String value) throws IOException;

    void mkdir(Path dir) throws IOException;

    void rmdir(Path dir) throws IOException;

    boolean writable(Path path);

    boolean isDirectory(Path path);

    CgroupFs REAL = new CgroupFs() {
        @Override
        public String read(Path file) throws IOException {
            return Files.readString(file, StandardCharsets.US_ASCII);
        }

        @Override
        public void write(Path file, String value) throws IOException {
            Files.write(file, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE);
        }

        @Override
        public void mkdir(Path dir) throws IOException {
            Files.createDirectory(dir);
        }

        @Override
        public void rmdir(Path dir) throws IOException {
            Files.delete(dir); // rmdir(2) on a directory
        }

        @Override
        public boolean writable(Path path) {
            return Files.isWritable(path); // access(2): false on a read-only mount (ProtectControlGroups=yes) too
        }

        @Override
        public boolean isDirectory(Path path) {
            return Files.isDirectory(path);
        }
    };
}
