package dev.baton.supervisor.control;

import java.util.Map;

/** The answer channel of one control request: called once, on the loop thread. */
@FunctionalInterface
public interface ControlReply {
    void send(Map<String, Object> response);
}
