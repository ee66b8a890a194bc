package dev.baton.nativetest;

import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One parsed HTTP/1.1 response. Header names are lower case. */
record HttpResponse(String version, int status, Map<String, String> headers, String body) {
    private static final Pattern GENERATION = Pattern.compile("generation=(\\d+)");
    private static final Pattern PID = Pattern.compile("pid=(\\d+)");

    /** The {@code generation=N} the demo service puts in its body, if any. */
    OptionalInt generation() {
        Matcher matcher = GENERATION.matcher(body);
        return matcher.find() ? OptionalInt.of(Integer.parseInt(matcher.group(1))) : OptionalInt.empty();
    }

    /** The {@code pid=P} of the process that answered: what tells workers apart where every generation is 0. */
    OptionalLong pid() {
        Matcher matcher = PID.matcher(body);
        return matcher.find() ? OptionalLong.of(Long.parseLong(matcher.group(1))) : OptionalLong.empty();
    }

    /** Whether the server will close the connection after this response. */
    boolean closesConnection() {
        String connection = headers.getOrDefault("connection", "").toLowerCase();
        if (version.equals("HTTP/1.0")) {
            return !connection.contains("keep-alive");
        }
        return connection.contains("close");
    }

    @Override
    public String toString() {
        return version + " " + status + " " + headers + " " + body.strip();
    }
}
