package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A request that is certainly in the hands of a given generation and in flight when that
 * generation's drain begins: it goes out on a keep-alive connection the generation has already
 * answered once, so it cannot be sitting in the kernel's accept queue waiting for the next one,
 * and asks for {@code /sleep?ms=M&after=drain}, which the examples answer M ms after their drain
 * began, however long the reload took to get there.
 */
final class SlowRequest implements AutoCloseable {
    private final HttpConnection connection;
    private final CompletableFuture<HttpResponse> response;

    private SlowRequest(HttpConnection connection, CompletableFuture<HttpResponse> response) {
        this.connection = connection;
        this.response = response;
    }

    static SlowRequest untilDrain(int port, int generation, int msAfterDrain) throws IOException {
        HttpConnection connection = HttpConnection.open(port, Duration.ofSeconds(30));
        try {
            connection.send("/", true);
            HttpResponse warmUp = connection.readResponse();
            assertEquals(generation, warmUp.generation().orElse(-1), warmUp::toString);
            connection.send("/sleep?ms=" + msAfterDrain + "&after=drain", true);
        } catch (IOException | RuntimeException | Error e) {
            connection.close();
            throw e;
        }
        return new SlowRequest(connection, CompletableFuture.supplyAsync(() -> {
            try {
                return connection.readResponse();
            } catch (Exception e) {
                throw new AssertionError("the slow request failed: " + e, e);
            }
        }));
    }

    /** Completes, on the reading thread, as soon as the response has arrived. */
    CompletableFuture<HttpResponse> response() {
        return response;
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }
}
