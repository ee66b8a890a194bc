package dev.baton.supervisor.cli;

import java.util.List;

/**
 * One option as the command line spells it: its names (the first, long one is used in error
 * messages), the label of its value, or null for a flag that takes none, and whether it may be
 * given more than once.
 */
public record OptionSpec(List<String> names, String label, boolean repeatable) {

    static OptionSpec flag(String... names) {
        return new OptionSpec(List.of(names), null, false);
    }

    static OptionSpec value(String name, String label) {
        return new OptionSpec(List.of(name), label, false);
    }

    static OptionSpec repeatable(String name, String label) {
        return new OptionSpec(List.of(name), label, true);
    }

    String name() {
        return names.get(0);
    }

    boolean takesValue() {
        return label != null;
    }
}
