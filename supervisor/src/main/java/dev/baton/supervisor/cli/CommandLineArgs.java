package dev.baton.supervisor.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command line sorted into option values and the child command; what the values mean is
 * {@link Options}' business. It sorts the way picocli did when batond used it, so nothing changes
 * for users: {@code --opt value} or {@code --opt=value}; options may also come after the first
 * word of the command, up to {@code --}, after which everything is the command; short flags
 * cluster ({@code -hV}). Errors are IllegalArgumentExceptions with picocli's one-line wording.
 * Unlike picocli, a flag takes no "=true" and "@file" is left alone (picocli replaced it by the
 * file's lines, even in the child's command).
 */
public final class CommandLineArgs {
    private final Map<OptionSpec, List<String>> values;
    private final List<String> command;
    private final List<String> unknown;

    private CommandLineArgs(Map<OptionSpec, List<String>> values, List<String> command, List<String> unknown) {
        this.values = values;
        this.command = command;
        this.unknown = unknown;
    }

    static CommandLineArgs parse(List<OptionSpec> specs, String[] args) {
        Map<String, OptionSpec> byName = new HashMap<>();
        specs.forEach(spec -> spec.names().forEach(name -> byName.put(name, spec)));
        Map<OptionSpec, List<String>> values = new LinkedHashMap<>();
        List<String> command = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                command.addAll(Arrays.asList(args).subList(i + 1, args.length));
                break;
            }
            String name = nameOf(arg);
            String attached = name.equals(arg) ? null : arg.substring(name.length() + 1);
            OptionSpec spec = byName.get(name);
            if (spec == null) {
                if (isFlagCluster(arg, byName)) {
                    arg.substring(1).chars().forEach(c -> add(values, byName.get("-" + (char) c), null));
                } else if (resemblesOption(arg)) {
                    unknown.add(arg);
                } else {
                    command.add(arg);
                }
            } else if (!spec.takesValue()) {
                if (attached != null) {
                    throw new IllegalArgumentException("option '" + spec.name() + "' takes no value: '" + arg + "'");
                }
                add(values, spec, null);
            } else {
                String value = attached;
                if (value == null) {
                    if (i + 1 == args.length) {
                        throw new IllegalArgumentException(
                                "Missing required parameter for option '" + spec.name() + "' (" + spec.label() + ")");
                    }
                    value = args[++i];
                }
                // "--listen --ready-timeout 5s" forgot the address: say so rather than read "--ready-timeout" as one.
                if (isOption(value, byName)) {
                    throw new IllegalArgumentException(
                            "Expected parameter for option '" + spec.name() + "' but found '" + value + "'");
                }
                add(values, spec, value);
            }
        }
        return new CommandLineArgs(values, command, unknown);
    }

    boolean has(OptionSpec spec) {
        return values.containsKey(spec);
    }

    /** The option's values in the order given; empty when it was not given. */
    List<String> values(OptionSpec spec) {
        return values.getOrDefault(spec, List.of());
    }

    String value(OptionSpec spec, String fallback) {
        return has(spec) ? values(spec).get(0) : fallback;
    }

    List<String> command() {
        return command;
    }

    /**
     * Throws when an option was not recognised. Separate from parse() because --help and
     * --version win over a misspelt option, as they did with picocli.
     */
    void rejectUnknown() {
        if (unknown.size() == 1) {
            throw new IllegalArgumentException("Unknown option: '" + unknown.get(0) + "'");
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Unknown options: '" + String.join("', '", unknown) + "'");
        }
    }

    private static void add(Map<OptionSpec, List<String>> values, OptionSpec spec, String value) {
        if (values.containsKey(spec) && !spec.repeatable()) {
            throw new IllegalArgumentException("option '" + spec.name() + "'"
                    + (spec.takesValue() ? " (" + spec.label() + ")" : "") + " should be specified only once");
        }
        List<String> list = values.computeIfAbsent(spec, s -> new ArrayList<>());
        if (value != null) {
            list.add(value);
        }
    }

    /** "--ready-timeout" of "--ready-timeout=5s"; anything else as it is. */
    private static String nameOf(String arg) {
        int eq = arg.indexOf('=');
        return arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
    }

    private static boolean isOption(String arg, Map<String, OptionSpec> byName) {
        return arg.equals("--") || byName.containsKey(nameOf(arg)) || isFlagCluster(arg, byName);
    }

    /** "-hV": several one-letter flags in one word. */
    private static boolean isFlagCluster(String arg, Map<String, OptionSpec> byName) {
        if (arg.length() < 3 || !arg.startsWith("-") || arg.startsWith("--")) {
            return false;
        }
        return arg.substring(1).chars().allMatch(c -> {
            OptionSpec spec = byName.get("-" + (char) c);
            return spec != null && !spec.takesValue();
        });
    }

    /**
     * Whether an unrecognised word is a mistyped option rather than a word of the command. As
     * with picocli: it starts with '-', but '-' alone and negative numbers ("sleep -5") are words.
     */
    private static boolean resemblesOption(String arg) {
        return arg.length() > 1 && arg.startsWith("-") && !isNumber(arg);
    }

    private static boolean isNumber(String arg) {
        try {
            Long.decode(arg);
            return true;
        } catch (NumberFormatException notALong) {
            try {
                Double.parseDouble(arg);
                return true;
            } catch (NumberFormatException notADouble) {
                return false;
            }
        }
    }
}
