package dev.baton.child;

/**
 * One warm-up call, e.g. the service's own request handler run on a canned request. Registered
 * with {@link Baton#warmUp(int, WarmUpTask)} or {@link Baton#warmUp(java.time.Duration, WarmUpTask)};
 * {@link Baton#ready()} runs it before it reports READY. An exception fails the start.
 */
@FunctionalInterface
public interface WarmUpTask {
    void run() throws Exception;
}
