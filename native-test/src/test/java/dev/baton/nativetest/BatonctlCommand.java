package dev.baton.nativetest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.jr.ob.JSON;

/** {@code bin/batonctl --control PATH ARGS} as a user runs it (batonctl/target/batonctl.jar): its exit status and output. */
final class BatonctlCommand {
    record Result(int exitCode, String stdout, String stderr) {
        Map<String, Object> json() {
            try {
                return JSON.std.mapFrom(stdout.trim());
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + this, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout:\n" + stdout + "stderr:\n" + stderr;
        }
    }

    private BatonctlCommand() {}

    static Result run(Path control, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Artifacts.root().resolve("bin/batonctl").toString(),
                "--control", control.toString()));
        command.addAll(List.of(args));
        return run(new ProcessBuilder(command));
    }

    static Result run(ProcessBuilder builder) throws IOException, InterruptedException {
        Artifacts.batonctlJar(); // a clear failure when it is not built, rather than the script's exit 1
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("BATONCTL_JAR"); // the jar of this checkout
        builder.environment().remove("BATOND_JAR");
        Process p = builder.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("batonctl did not finish within 120 s: " + builder.command());
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
