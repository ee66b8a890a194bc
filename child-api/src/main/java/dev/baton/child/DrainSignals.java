package dev.baton.child;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT start the {@link Drain}. Installed before the handoff; a signal that
 * arrives before the drain exists is kept and delivered to it once it does.
 */
final class DrainSignals {
    private Drain drain;     // guarded by this
    private String pending;  // guarded by this

    static DrainSignals install() {
        DrainSignals signals = new DrainSignals();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), s -> signals.received("SIG" + s.getName()));
        }
        return signals;
    }

    private void received(String reason) {
        Drain target;
        synchronized (this) {
            if (drain == null) {
                pending = reason;
                return;
            }
            target = drain;
        }
        target.startAndExit(reason);
    }

    void route(Drain drain) {
        String early;
        synchronized (this) {
            this.drain = drain;
            early = pending;
        }
        if (early != null) {
            drain.startAndExit(early);
        }
    }
}
