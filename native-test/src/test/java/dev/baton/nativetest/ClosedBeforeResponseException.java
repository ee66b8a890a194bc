package dev.baton.nativetest;

import java.io.IOException;

/**
 * The server closed the connection (EOF, reset, broken pipe) before sending a single byte of the
 * response. On a reused keep-alive connection this is the race every HTTP client expects (the
 * server closed an idle connection as the request went out), and the request is retried once.
 */
final class ClosedBeforeResponseException extends IOException {
    ClosedBeforeResponseException(String message, Throwable cause) {
        super(message, cause);
    }
}
