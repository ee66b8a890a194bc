package dev.baton.supervisor.control;

import java.util.LinkedHashMap;
import java.util.Map;

/** The two plain control answers: {@code {"ok":true,"message":...}} and {@code {"ok":false,"error":...}}. */
public final class ControlResponses {
    private ControlResponses() {}

    static Map<String, Object> ok(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        m.put("message", message);
        return m;
    }

    static Map<String, Object> error(String error) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", false);
        m.put("error", error);
        return m;
    }

    /** A request echoed into a log line or an error: printable ASCII only, at most 80 characters. */
    static String printable(String text) {
        StringBuilder b = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (b.length() >= 80) {
                b.append("...");
                break;
            }
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
