package dev.baton.supervisor.cli;

import dev.baton.protocol.Version;

/**
 * What batond prints for --help and --version. The help is one literal block, laid out the way
 * picocli laid it out before batond dropped picocli: the README copies it (ReadmeTest) and
 * OptionsTest checks that it names every option.
 */
public final class BatondHelp {
    static final String TEXT = """
            Usage: batond [-hV] [--no-memory-check] [--control=PATH] [--drain-nice=N]
                          [--drain-timeout=DURATION] [--handoff-dir=DIR] [--max-draining=N]
                          [--memory-headroom=FACTOR] [--metrics=HOST:PORT] [--min-ready=DURATION]
                          [--ready-timeout=DURATION] [--restart-backoff-max=DURATION]
                          [--restart-backoff-min=DURATION] [--start-nice=N] [--listen=[NAME=]HOST:PORT]...
                          [COMMAND...]
            Holds listening sockets and hands them to generation after generation of a child process.
            SIGUSR2 or SIGHUP: start a new generation, drain the old one once the new one is READY.
            SIGTERM or SIGINT: drain every generation, then exit 0.
                  [COMMAND...]          The child command, after --, e.g. -- java -jar app.jar
                  --listen=[NAME=]HOST:PORT
                                        Listen here; repeatable. IPv6 as [::1]:8080, all interfaces as :8080.
                                        Under systemd socket activation (LISTEN_FDS) the sockets passed are
                                          adopted, named by FileDescriptorName=; a --listen of the same NAME is
                                          then optional.
                  --ready-timeout=DURATION
                                        A new generation must say READY within this; 1ms to 24h (default: 60s).
                  --drain-timeout=DURATION
                                        An old generation gets this long to drain, then SIGKILL; 1ms to 24h
                                          (default: 30s).
                  --restart-backoff-min=DURATION
                                        After the serving child dies, the first restart is immediate; a further
                                          one waits this long, doubling up to --restart-backoff-max; 1ms to 1h
                                          (default: 1s).
                  --restart-backoff-max=DURATION
                                        Longest wait between restarts of a child that keeps dying; 1ms to 1h
                                          (default: 30s).
                  --min-ready=DURATION  After a new generation's READY, the old one keeps serving beside it this
                                          long before it drains; the new one exiting or reporting NOT_READY
                                          meanwhile is a rollback; 0 to 1h (default: 0: drain at READY).
                  --max-draining=N      At most this many old generations drain at once, 1 to 64; a reload
                                          beyond waits (default: 1).
                  --memory-headroom=FACTOR
                                        A reload starts only if available memory is at least FACTOR times what
                                          the serving child uses now; more than 0, at most 100000 (default:
                                          1.0).
                  --no-memory-check     Start a new generation even when available memory looks too small for
                                          two children.
                  --handoff-dir=DIR     Parent directory of the private handoff socket directory: an existing
                                          one, its path at most 59 bytes long (default: $RUNTIME_DIRECTORY,
                                          $XDG_RUNTIME_DIR or the temp dir).
                  --control=PATH        Control socket for batonctl, mode 0600, at most 107 bytes long; missing
                                          directories are created (default: $RUNTIME_DIRECTORY/control, else
                                          $XDG_RUNTIME_DIR/baton/control, else /run/baton/control as root,
                                          /tmp/baton-UID/control otherwise).
                  --metrics=HOST:PORT   Serve Prometheus metrics at http://HOST:PORT/metrics (default: off).
                  --start-nice=N        A reload's new generation runs at nice N (in a delegated cgroup v2
                                          subtree: at cpu.weight 1 instead) until it is READY (at most a
                                          quarter of --ready-timeout, 2s at most), then gets batond's own
                                          priority back; 0 (off) to 19 (default: 19).
                  --drain-nice=N        An old generation replaced by a new one drains at nice N (its session's
                                          autogroup where the kernel has them; in a delegated cgroup v2
                                          subtree: at cpu.weight 1 instead), so its drain and exit take only
                                          the CPU the new one leaves; 0 (off) to 19 (default: 19).
              -h, --help                Show this help message and exit.
              -V, --version             Print version information and exit.

            DURATION is a whole number and a unit: 500ms, 30s, 2m or 1h.

            Example:
              batond --listen 127.0.0.1:8080 -- java -jar app.jar
            """;

    private BatondHelp() {}

    /** The line batonctl prints too: see {@link Version}. */
    public static String version() {
        return Version.line();
    }
}
