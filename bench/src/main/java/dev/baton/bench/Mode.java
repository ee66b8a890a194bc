package dev.baton.bench;

/** The three ways of replacing the service that the benchmark compares. */
enum Mode {
    BATOND("batond", "batond, SIGUSR2"),
    START_SERVER("start_server", "start_server, SIGHUP"),
    RESTART("restart", "plain restart (SIGTERM, start again)");

    /** The name on the command line and in results.json. */
    final String key;
    final String label;

    Mode(String key, String label) {
        this.key = key;
        this.label = label;
    }
}
