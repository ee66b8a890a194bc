package dev.baton.supervisor.lifecycle;

/**
 * The one reload that waits while another is under way (or while too many old generations
 * drain): a burst of requests makes exactly one more reload, named after the first of them.
 */
public final class ReloadQueue {
    private boolean queued;
    private String source;

    /** Remembers a request; returns whether one was queued already (this one is absorbed). */
    boolean add(String source) {
        boolean already = queued;
        if (this.source == null) {
            this.source = source;
        }
        queued = true;
        return already;
    }

    boolean isQueued() {
        return queued;
    }

    /** Takes the queued request; its source, "queued" if none was named. */
    String take() {
        String taken = source != null ? source : "queued";
        queued = false;
        source = null;
        return taken;
    }

    /** The queued request's source ("queued" if none was named); null when none is queued. */
    String queued() {
        return queued ? (source != null ? source : "queued") : null;
    }

    void clear() {
        queued = false;
        source = null;
    }
}
