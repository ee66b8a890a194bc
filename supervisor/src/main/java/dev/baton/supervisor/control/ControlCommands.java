package dev.baton.supervisor.control;

import dev.baton.supervisor.lifecycle.Supervisor;

import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The control socket's commands (one line each: {@code status}, {@code reload [--wait]},
 * {@code upgrade}, {@code stop [--wait]}) as calls on the lifecycle, run on the loop thread; the answers are
 * JSON-shaped maps made from the lifecycle's snapshots.
 */
public final class ControlCommands {
    static final String KNOWN = "status, reload, reload --wait, upgrade, stop, stop --wait";

    private final Supervisor supervisor;

    public ControlCommands(Supervisor supervisor) {
        this.supervisor = supervisor;
    }

    /** What the control server calls from a connection's thread: the command runs on {@code loop}. */
    public static BiConsumer<String, ControlReply> onLoop(Executor loop, Supplier<Supervisor> supervisor) {
        return (command, reply) -> loop.execute(() -> new ControlCommands(supervisor.get()).run(command, reply));
    }

    /** Runs one command; the reply is sent once, now or when what it waits for has happened. */
    public void run(String command, ControlReply reply) {
        switch (command) {
            case "status" -> reply.send(StatusReport.build(supervisor.snapshot()));
            case "reload" -> {
                reply.send(ControlResponses.ok(supervisor.shuttingDown()
                        ? "not reloading: batond is shutting down" : "reload requested"));
                supervisor.reload("batonctl");
            }
            case "reload --wait" -> {
                if (supervisor.shuttingDown()) {
                    reply.send(ControlResponses.error("not reloading: batond is shutting down"));
                    return;
                }
                supervisor.reloadAndWait("batonctl", r -> reply.send(ReloadEvidence.toMap(r)));
            }
            case "upgrade" -> supervisor.upgrade("batonctl", u -> reply.send(UpgradeReport.toMap(u)));
            case "stop" -> {
                reply.send(ControlResponses.ok("stopping: draining " + supervisor.liveGenerations() + " generation(s)"));
                supervisor.stop("batonctl stop");
            }
            case "stop --wait" -> supervisor.stopAndWait("batonctl stop", outcome -> reply.send(ShutdownReport.answer(outcome)));
            default -> {
                org.slf4j.LoggerFactory.getLogger("batond").warn("control: unknown command '{}' refused",
                        ControlResponses.printable(command));
                reply.send(ControlResponses.error("unknown command '" + ControlResponses.printable(command)
                        + "': batond understands " + KNOWN));
            }
        }
    }
}
