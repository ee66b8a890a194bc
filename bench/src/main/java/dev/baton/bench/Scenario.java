package dev.baton.bench;

/** What bench/run measures: the three supervisors on a quick service, or reload windows on a slow-start one. */
enum Scenario {
    /** hello as it is; half the clients keep-alive, paced. */
    CLASSIC("classic"),
    /** hello with a CPU-heavy start (issue 14); every client a new connection per request, paced. */
    SLOW_START("slow-start");

    final String key;

    Scenario(String key) {
        this.key = key;
    }
}
