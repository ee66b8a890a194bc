package dev.baton.supervisor.lifecycle;

/** The signals batond sends to children: the drain request, and the end of patience. */
public enum Sig {
    TERM(15),
    KILL(9);

    /** The Linux signal number. */
    public final int number;

    Sig(int number) {
        this.number = number;
    }
}
