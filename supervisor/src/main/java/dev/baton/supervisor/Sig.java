package dev.baton.supervisor;

/** The signals batond sends to children. */
enum Sig {
    TERM(15),
    KILL(9);

    final int number;

    Sig(int number) {
        this.number = number;
    }
}
