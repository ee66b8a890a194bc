package dev.baton.batonctl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.baton.protocol.ControlPath;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * batonctl: talks to a running batond over its control socket. Exit status: 0 when the command
 * did what it says (a reload: the new generation serves and the old one drained cleanly), 1
 * when it did not (a reload rolled back, refused, aborted; batond unreachable), 2 for a usage
 * error, 3 when a reload succeeded but the old generation did not drain cleanly.
 */
@Command(name = "batonctl", mixinStandardHelpOptions = true, usageHelpWidth = 100,
        versionProvider = Batonctl.Version.class,
        description = "Controls a running batond through its control socket.",
        footer = {"", "Exit status: 0 done (a reload: the new generation serves, the old one drained cleanly);",
            "1 not done (reload rolled back, refused or aborted; batond unreachable); 2 usage error;",
            "3 reload succeeded but the old generation did not drain cleanly.", "",
            "Examples:", "  batonctl status", "  batonctl reload --wait        # for systemd's ExecReload=",
            "  batonctl upgrade --wait       # batond replaces its own image (a new jar or JDK), same pid",
            "  batonctl --json status | jq .generations"},
        subcommands = {Batonctl.Status.class, Batonctl.Reload.class, Batonctl.Upgrade.class, Batonctl.Stop.class})
public final class Batonctl implements Callable<Integer> {
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int UNCLEAN = 3;

    @Option(names = "--control", paramLabel = "PATH", scope = CommandLine.ScopeType.INHERIT,
            description = "batond's control socket (default: as batond's, from $RUNTIME_DIRECTORY, "
                    + "$XDG_RUNTIME_DIR, /run/baton or /tmp/baton-UID).")
    Path control;

    @Option(names = "--json", scope = CommandLine.ScopeType.INHERIT,
            description = "Print batond's answer as JSON, for scripts.")
    boolean json;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        CommandLine cl = new CommandLine(new Batonctl());
        cl.setParameterExceptionHandler((e, a) -> {
            System.err.println("batonctl: " + e.getMessage() + " (batonctl --help lists the commands)");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((e, c, p) -> {
            System.err.println("batonctl: " + e.getMessage());
            return FAILED;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        System.err.println("batonctl: no command: use status, reload or stop (batonctl --help)");
        return USAGE;
    }

    /** Sends one command line, returns the one JSON answer. */
    Map<String, Object> ask(String command) throws IOException {
        Path path = control != null ? control : ControlPath.fromEnvironment(System.getenv());
        java.nio.channels.SocketChannel channel;
        try {
            channel = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            throw new IOException("cannot reach batond at " + path + ": " + e.getMessage()
                    + " (is batond running? is this its --control PATH?)", e);
        }
        try (channel) {
            ByteBuffer request = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8));
            while (request.hasRemaining()) {
                channel.write(request);
            }
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer.clear()) > 0) {
                answer.write(buffer.array(), 0, buffer.position());
            }
            String text = answer.toString(StandardCharsets.UTF_8).trim();
            if (text.isEmpty()) {
                throw new IOException("batond at " + path + " closed the connection without an answer (did it stop?)");
            }
            return JSON.std.mapFrom(text);
        }
    }

    int print(Map<String, Object> answer, String human) throws IOException {
        PrintWriter out = new PrintWriter(System.out, true);
        if (json) {
            out.println(JSON.std.asString(answer));
        } else if (Boolean.TRUE.equals(answer.get("ok")) || answer.get("error") == null) {
            out.print(human);
            out.flush();
        } else {
            System.err.println("batonctl: " + answer.get("error"));
        }
        return Boolean.TRUE.equals(answer.get("ok")) ? 0 : FAILED;
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Listeners, generations (state, pid, started, ready at, in-flight, served) and the last reloads.")
    static final class Status implements Callable<Integer> {
        @CommandLine.ParentCommand
        Batonctl ctl;

        @Override
        public Integer call() throws IOException {
            Map<String, Object> answer = ctl.ask("status");
            return ctl.print(answer, BatonctlView.status(answer));
        }
    }

    @Command(name = "reload", mixinStandardHelpOptions = true, description = "Start a reload; with --wait, block until it ended and print the evidence.")
    static final class Reload implements Callable<Integer> {
        @CommandLine.ParentCommand
        Batonctl ctl;

        @Option(names = "--wait", description = "Wait until the new generation serves and the old one exited (or the reload failed).")
        boolean await;

        @Override
        public Integer call() throws IOException {
            if (!await) {
                Map<String, Object> answer = ctl.ask("reload");
                return ctl.print(answer, answer.get("message") + "\n");
            }
            Map<String, Object> answer = ctl.ask("reload --wait");
            if (answer.containsKey("error")) {
                return ctl.print(answer, "");
            }
            int code = ctl.print(answer, BatonctlView.reload(answer));
            return code == 0 && !Boolean.TRUE.equals(answer.get("clean")) ? UNCLEAN : code;
        }
    }

    @Command(name = "upgrade", mixinStandardHelpOptions = true,
            description = "Replace batond's own image in place (same pid, same children, same sockets) once the new one "
                    + "passed its check; with --wait, block until the new image serves.")
    static final class Upgrade implements Callable<Integer> {
        /** How long --wait waits for the new image to answer. */
        static final long WAIT_MS = 120_000;

        @CommandLine.ParentCommand
        Batonctl ctl;

        @Option(names = "--wait", description = "Wait until the new image of batond serves again (or the upgrade was refused).")
        boolean await;

        @Override
        public Integer call() throws IOException, InterruptedException {
            Number before = await ? (Number) ctl.ask("status").get("upgrades") : null;
            Map<String, Object> answer = ctl.ask("upgrade");
            if (!Boolean.TRUE.equals(answer.get("ok")) || !await) {
                return ctl.print(answer, BatonctlView.upgrade(answer));
            }
            // The old image answered and execs the new one: its answer comes from the new image's status.
            long deadline = System.nanoTime() + WAIT_MS * 1_000_000;
            while (System.nanoTime() - deadline < 0) {
                Thread.sleep(100);
                Map<String, Object> status;
                try {
                    status = ctl.ask("status");
                } catch (IOException e) {
                    continue; // between the two images
                }
                Object upgrade = status.get("upgrade");
                Number now = (Number) status.get("upgrades");
                if (upgrade instanceof Map<?, ?> u) {
                    String outcome = String.valueOf(u.get("outcome"));
                    boolean newImage = now != null && before != null && now.longValue() > before.longValue();
                    if (newImage && outcome.equals("succeeded") || outcome.equals("failed")) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> ended = (Map<String, Object>) u;
                        return ctl.print(ended, BatonctlView.upgrade(ended));
                    }
                }
            }
            System.err.println("batonctl: batond did not come back from its upgrade within " + WAIT_MS / 1000 + " s");
            return FAILED;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Drain every generation and stop batond; with --wait, block until it has.")
    static final class Stop implements Callable<Integer> {
        @CommandLine.ParentCommand
        Batonctl ctl;

        @Option(names = "--wait", description = "Wait until every generation drained and batond exits.")
        boolean await;

        @Override
        public Integer call() throws IOException {
            Map<String, Object> answer = ctl.ask(await ? "stop --wait" : "stop");
            int code = ctl.print(answer, answer.get("message") + "\n");
            // stop --wait: a generation had to be killed, or ended badly
            return code == 0 && Boolean.FALSE.equals(answer.get("clean")) ? UNCLEAN : code;
        }
    }

    /** The same version line as batond's. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {dev.baton.protocol.Version.line()};
        }
    }
}
