package dev.baton.supervisor;

/** The signals batond sends to children: the drain request, and the end of patience. */
enum Sig {
    TERM,
    KILL
}
