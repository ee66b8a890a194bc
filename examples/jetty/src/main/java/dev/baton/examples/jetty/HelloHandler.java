package dev.baton.examples.jetty;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The service itself, the same as examples/hello's: {@code GET /} says which generation and
 * process answered, and {@code GET /sleep?ms=M} does the same after M milliseconds, so that
 * tests can hold a request in flight across a reload; {@code GET /sleep?ms=M&after=drain}
 * answers M milliseconds after this process's drain began (after M milliseconds once it has).
 * Whether the connection stays open is Jetty's business (it says {@code Connection: close}
 * once the connector is shut down).
 */
final class HelloHandler extends Handler.Abstract.NonBlocking {
    /** Longer than any sensible drain timeout, short enough that a typo cannot park a request for days. */
    static final long MAX_SLEEP_MS = 600_000;

    /** {@code generation=N pid=P}: the substring the end-to-end tests look for. */
    private final String identity;

    private final AfterDrain afterDrain;

    HelloHandler(int generation, long pid, AfterDrain afterDrain) {
        this.identity = "generation=" + generation + " pid=" + pid;
        this.afterDrain = afterDrain;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!HttpMethod.GET.is(request.getMethod())) {
            respond(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "only GET is served here\n");
            return true;
        }
        String path = Request.getPathInContext(request);
        switch (path) {
            case "/" -> respond(response, callback, HttpStatus.OK_200, identity + "\n");
            case "/sleep" -> sleep(request, response, callback);
            default -> respond(response, callback, HttpStatus.NOT_FOUND_404, "not found: " + path + "\n");
        }
        return true;
    }

    private void sleep(Request request, Response response, Callback callback) {
        Fields query = Request.extractQueryParameters(request);
        long millis = parseMillis(query.getValues("ms"));
        if (millis < 0) {
            respond(response, callback, HttpStatus.BAD_REQUEST_400,
                    "ms must be a whole number of milliseconds from 0 to " + MAX_SLEEP_MS + "\n");
            return;
        }
        List<String> after = query.getValues("after");
        if (after != null && !after.equals(List.of("drain"))) {
            respond(response, callback, HttpStatus.BAD_REQUEST_400, "after must be drain, once\n");
            return;
        }
        // A timer, not a parked thread: the pool keeps serving other requests meanwhile.
        Runnable sleep = () -> request.getComponents().getScheduler().schedule(
                () -> respond(response, callback, HttpStatus.OK_200, identity + " slept=" + millis + "ms\n"),
                millis, TimeUnit.MILLISECONDS);
        if (after == null) {
            sleep.run();
        } else {
            // No failure listener: with one, Jetty turns the drain's short idle timeout into a 500
            // for this request. One whose client has left ends at the drain, its answer unwritten.
            afterDrain.run(sleep);
        }
    }

    /** The single {@code ms} parameter, or -1 when it is missing, repeated, not a number or out of range. */
    static long parseMillis(List<String> values) {
        if (values == null || values.size() != 1) {
            return -1;
        }
        try {
            long millis = Long.parseLong(values.get(0));
            return millis >= 0 && millis <= MAX_SLEEP_MS ? millis : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void respond(Response response, Callback callback, int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }
}
