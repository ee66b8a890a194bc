package dev.baton.child;

/**
 * One condition for serving real traffic, e.g. "the database answers" or "the cache is warm".
 * Registered with {@link Baton#readinessCheck(String, ReadinessCheck)}. Keep it quick (it runs
 * on every readiness probe) and bounded (give your own calls a timeout).
 */
@FunctionalInterface
public interface ReadinessCheck {
    /**
     * True when the condition holds. False or an exception means not ready; the exception's
     * message is shown in the log and in the {@code /ready} answer.
     */
    boolean passes() throws Exception;
}
