package dev.baton.supervisor.control;

import java.util.Collection;
import java.util.Map;

/**
 * Writes the control socket's answers (maps, lists, strings, numbers, booleans, null) as one line
 * of JSON; any other type is refused (IllegalArgumentException), never written as its toString(). batonctl reads them with jackson-jr; batond writes them itself, so that a
 * {@code batonctl status} does not leave a JSON library loaded in the daemon for good.
 */
public final class JsonWriter {
    private JsonWriter() {}

    static String write(Object value) {
        StringBuilder b = new StringBuilder(256);
        value(b, value);
        return b.toString();
    }

    private static void value(StringBuilder b, Object value) {
        if (value == null) {
            b.append("null");
        } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long
                || value instanceof Short || value instanceof Byte) {
            b.append(value);
        } else if (value instanceof Double d && Double.isFinite(d) || value instanceof Float f && Float.isFinite(f)) {
            b.append(value);
        } else if (value instanceof Map<?, ?> map) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                if (!(e.getKey() instanceof CharSequence || e.getKey() instanceof Number)) {
                    throw new IllegalArgumentException("JsonWriter cannot write a map key of " + e.getKey().getClass().getName());
                }
                string(b, e.getKey().toString());
                b.append(':');
                value(b, e.getValue());
            }
            b.append('}');
        } else if (value instanceof Collection<?> list) {
            b.append('[');
            boolean first = true;
            for (Object item : list) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                value(b, item);
            }
            b.append(']');
        } else if (value instanceof CharSequence || value instanceof Double || value instanceof Float) {
            string(b, value.toString()); // strings, and NaN or Infinity as their text (JSON has no literal for them)
        } else {
            // An int[] would come out as "[I@1b6d3586": a bug to fix where it is put, not a text to send.
            throw new IllegalArgumentException("JsonWriter cannot write a " + value.getClass().getName());
        }
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        String hex = Integer.toHexString(c);
                        b.append("\\u").append("0".repeat(4 - hex.length())).append(hex);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
