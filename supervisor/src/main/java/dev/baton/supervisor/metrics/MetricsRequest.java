package dev.baton.supervisor.metrics;

import java.nio.charset.StandardCharsets;

/**
 * The head of one HTTP/1.0 or 1.1 request to the metrics endpoint, read only as far as batond
 * needs to choose its answer. Anything that is not a plain request line and header lines is
 * {@link Answer#BAD_REQUEST}: the connection closes after the answer either way.
 */
public final class MetricsRequest {
    /** What the request gets. */
    enum Answer {
        METRICS(200, "OK"),
        /** HEAD /metrics: the headers of {@link #METRICS}, no body. */
        METRICS_HEADERS(200, "OK"),
        BAD_REQUEST(400, "Bad Request"),
        NOT_FOUND(404, "Not Found"),
        METHOD_NOT_ALLOWED(405, "Method Not Allowed"),
        HEAD_TOO_LARGE(431, "Request Header Fields Too Large"),
        INTERNAL_ERROR(500, "Internal Server Error");

        final int status;
        final String reason;

        Answer(int status, String reason) {
            this.status = status;
            this.reason = reason;
        }
    }

    static final String PATH = "/metrics";
    /** Longer methods are not HTTP methods anyone sends here. */
    private static final int MAX_METHOD = 16;

    private MetricsRequest() {}

    /**
     * Where the head in {@code bytes[0..length)} ends (the index after its blank line), or -1 while
     * it is incomplete; {@code from} is how much was already searched, so that a client sending a
     * byte at a time costs no rescans. Bare LF line ends count as well as CRLF, as RFC 9112 allows.
     */
    static int headEnd(byte[] bytes, int length, int from) {
        for (int i = Math.max(leadingBlankLines(bytes, length), from - 3); i < length; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            if (i + 1 < length && bytes[i + 1] == '\n') {
                return i + 2;
            }
            if (i + 2 < length && bytes[i + 1] == '\r' && bytes[i + 2] == '\n') {
                return i + 3;
            }
        }
        return -1;
    }

    /** A client may send an empty line or two before its request line (RFC 9112, 2.2): skipped. */
    private static int leadingBlankLines(byte[] bytes, int length) {
        int start = 0;
        while (start < Math.min(length, 4) && (bytes[start] == '\r' || bytes[start] == '\n')) {
            start++;
        }
        return start;
    }

    /** The answer to the complete head {@code bytes[0..length)}. */
    static Answer answer(byte[] bytes, int length) {
        int start = leadingBlankLines(bytes, length);
        for (int i = start; i < length; i++) {
            int b = bytes[i] & 0xff;
            if (b < 0x20 && b != '\t' && b != '\r' && b != '\n' || b == 0x7f
                    || b == '\r' && (i + 1 == length || bytes[i + 1] != '\n')) {
                return Answer.BAD_REQUEST; // control characters (NUL, ESC, a bare CR...) are no HTTP
            }
        }
        String[] lines = new String(bytes, start, length - start, StandardCharsets.ISO_8859_1).split("\r?\n");
        String[] requestLine = lines[0].split(" ", -1);
        if (requestLine.length != 3) {
            return Answer.BAD_REQUEST;
        }
        String method = requestLine[0];
        String target = requestLine[1];
        String version = requestLine[2];
        if (!isMethod(method) || !target.startsWith("/") || !isAscii(target)
                || !version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            return Answer.BAD_REQUEST;
        }
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            // "Name: value"; no space before the colon (RFC 9112, 5.1), no folded lines.
            if (colon <= 0 || lines[i].charAt(0) == ' ' || lines[i].charAt(0) == '\t'
                    || lines[i].lastIndexOf(' ', colon) >= 0 || lines[i].lastIndexOf('\t', colon) >= 0) {
                return Answer.BAD_REQUEST;
            }
        }
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        if (!path.equals(PATH)) {
            return Answer.NOT_FOUND;
        }
        return switch (method) {
            case "GET" -> Answer.METRICS;
            case "HEAD" -> Answer.METRICS_HEADERS;
            default -> Answer.METHOD_NOT_ALLOWED;
        };
    }

    private static boolean isMethod(String method) {
        if (method.isEmpty() || method.length() > MAX_METHOD) {
            return false;
        }
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (c < 'A' || c > 'Z') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
