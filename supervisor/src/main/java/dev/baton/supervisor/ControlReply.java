package dev.baton.supervisor;

import java.util.Map;

/** The answer channel of one control request: called once, on the loop thread. */
@FunctionalInterface
interface ControlReply {
    void send(Map<String, Object> response);
}
