package dev.baton.supervisor.upgrade;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Tries the image batond would exec before it does: the same command with {@code --check-only}
 * first, under a timeout. The new image parses the arguments, loads its native layer, says
 * whether it reads this state version, prints its version line and exits 0; anything else (a
 * non-zero exit, a timeout, a jar cut short, a launcher that fails) refuses the upgrade, with
 * the reason in one line, before anything has changed.
 */
public final class NewImageCheck {
    public static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** What the check prints: {@code batond-check version=V java=J vm=M}. */
    public static final String ANSWER = "batond-check ";
    private static final int MAX_OUTPUT = 64 * 1024;

    /** {@code passed} with the new image's version and JVM, or the reason it did not. */
    public record Result(boolean passed, String version, String jvm, String reason) {}

    private NewImageCheck() {}

    public static Result run(ImageCommand command, int stateVersion, Duration timeout) {
        ProcessBuilder builder = new ProcessBuilder(command.checkOnly(stateVersion)).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().remove("NOTIFY_SOCKET");
        builder.environment().remove("BATOND_STATE_FD");
        Process p;
        try {
            p = builder.start();
        } catch (IOException e) {
            return refused("cannot run " + command.path() + ": " + e.getMessage());
        }
        java.util.concurrent.CompletableFuture<String> output =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return refused("the new image did not answer --check-only within " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return refused("interrupted");
        }
        String out;
        try {
            out = output.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            out = "";
        }
        String answer = null;
        String last = "";
        for (String line : out.split("\n")) {
            if (line.startsWith(ANSWER)) {
                answer = line;
            }
            if (!line.isBlank()) {
                last = line.trim();
            }
        }
        if (p.exitValue() != 0 || answer == null) {
            return refused("the new image (" + command.path() + ") failed its check, exit code " + p.exitValue()
                    + (last.isEmpty() ? "" : ": " + oneLine(last)));
        }
        String version = field(answer, "version=", " java=");
        String java = field(answer, "java=", " vm=");
        String vm = answer.substring(answer.indexOf(" vm=") + 4);
        return new Result(true, version, java + " (" + vm + ")", "");
    }

    private static Result refused(String reason) {
        return new Result(false, null, null, reason);
    }

    private static String field(String line, String key, String next) {
        int from = line.indexOf(key);
        int to = line.indexOf(next, from);
        return from < 0 || to < 0 ? "?" : line.substring(from + key.length(), to);
    }

    private static String oneLine(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    private static String read(InputStream in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try (in) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (out.size() < MAX_OUTPUT) {
                    out.write(buffer, 0, Math.min(n, MAX_OUTPUT - out.size()));
                }
            }
        } catch (IOException e) {
            // the check's output ended
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
