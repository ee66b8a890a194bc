package dev.baton.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;

import org.junit.jupiter.api.Test;

class OutcomeTest {
    @Test
    void sortsTheExceptionsOfTheJdkSocketIntoFailureKinds() {
        assertEquals(Outcome.REFUSED, Outcome.of(new ConnectException("Connection refused")));
        assertEquals(Outcome.TIMEOUT, Outcome.of(new SocketTimeoutException("Connect timed out")));
        assertEquals(Outcome.TIMEOUT, Outcome.of(new SocketTimeoutException("Read timed out")));
        assertEquals(Outcome.RESET, Outcome.of(new SocketException("Connection reset")));
        assertEquals(Outcome.RESET, Outcome.of(new SocketException("Broken pipe")));
        assertEquals(Outcome.RESET, Outcome.of(new EOFException("EOF in the response head")));
        assertEquals(Outcome.RESET, Outcome.of(new ClosedEarlyException("EOF before the response", null)));
        assertEquals(Outcome.OTHER, Outcome.of(new IOException("bad status line: x")));
    }
}
