package dev.baton.bench;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/** What a client saw of one request: an answer, or one of the ways a request fails. */
enum Outcome {
    OK("ok"),
    /** The connect was refused: nothing listened on the port. */
    REFUSED("refused"),
    /** The connection was reset or closed before the whole response arrived. */
    RESET("reset"),
    /** No connect or no response within the client's timeout. */
    TIMEOUT("timeout"),
    /** An answer, but not 200. */
    NON_200("non200"),
    /** Any other I/O error (a garbled response, say). */
    OTHER("other");

    /** The name in results.json. */
    final String key;

    Outcome(String key) {
        this.key = key;
    }

    /** Sorts an exception from a request into a failure kind. */
    static Outcome of(IOException e) {
        if (e instanceof SocketTimeoutException) {
            return TIMEOUT;
        }
        if (e instanceof ConnectException) {
            // A connect timeout is a SocketTimeoutException; what is left here is ECONNREFUSED and kin.
            return REFUSED;
        }
        if (e instanceof EOFException || e instanceof ClosedEarlyException) {
            return RESET;
        }
        if (e instanceof SocketException) {
            String message = String.valueOf(e.getMessage()).toLowerCase();
            if (message.contains("reset") || message.contains("broken pipe") || message.contains("closed")) {
                return RESET;
            }
            if (message.contains("refused")) {
                return REFUSED;
            }
        }
        return OTHER;
    }
}
