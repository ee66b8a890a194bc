package dev.baton.supervisor;

/** The signals batond sends to children: the drain request, and the end of patience. */
enum Sig {
    TERM(15),
    KILL(9);

    /** The Linux signal number. */
    final int number;

    Sig(int number) {
        this.number = number;
    }
}
