package dev.baton.bench;

import java.io.IOException;

/**
 * The server closed the connection before the first byte of the response. On a reused keep-alive
 * connection every HTTP client expects this race (the server closed it as idle while the request
 * went out) and retries once on a new connection; anywhere else it is a reset.
 */
final class ClosedEarlyException extends IOException {
    ClosedEarlyException(String message, Throwable cause) {
        super(message, cause);
    }
}
