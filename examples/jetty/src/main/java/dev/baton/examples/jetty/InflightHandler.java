package dev.baton.examples.jetty;

import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import dev.baton.child.InflightTracker;

/**
 * Counts every request from the moment Jetty hands it over until its callback completes
 * (response written, or failed), in child-api's {@link InflightTracker}: what the drain waits on.
 */
final class InflightHandler extends Handler.Wrapper {
    private final InflightTracker inflight;

    InflightHandler(InflightTracker inflight, Handler next) {
        super(next);
        this.inflight = inflight;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        inflight.begin();
        AtomicBoolean ended = new AtomicBoolean();
        Runnable end = () -> {
            if (ended.compareAndSet(false, true)) {
                inflight.end();
            }
        };
        try {
            boolean handled = super.handle(request, response, Callback.from(callback, end));
            if (!handled) {
                end.run(); // Jetty answers 404 itself and never completes our callback
            }
            return handled;
        } catch (Exception | Error e) {
            end.run(); // Jetty fails the callback it gave us, not the one we passed on
            throw e;
        }
    }
}
