package dev.baton.protocol;

import java.io.IOException;

/** A frame that breaks the handoff protocol: too long, not UTF-8, not KEY=VALUE lines. */
public class FrameException extends IOException {
    /** A protocol error described by {@code message}. */
    public FrameException(String message) {
        super(message);
    }
}
