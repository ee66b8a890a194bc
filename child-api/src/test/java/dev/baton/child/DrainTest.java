package dev.baton.child;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class DrainTest {

    /** A participant that records the order of calls. */
    static Drainable recording(List<String> calls, String name, boolean idle) {
        return new Drainable() {
            @Override
            public void stopAccepting() {
                calls.add(name + ".stopAccepting");
            }

            @Override
            public boolean awaitIdle(Instant deadline) {
                calls.add(name + ".awaitIdle");
                return idle;
            }

            @Override
            public long served() {
                return 5;
            }
        };
    }

    @Test
    void stopsEveryoneThenWaitsThenClosesInRegistrationOrder() {
        List<String> calls = new ArrayList<>();
        Drain drain = new Drain(Duration.ofSeconds(10), null, 3);
        drain.add(recording(calls, "http", true));
        drain.add(recording(calls, "admin", true));
        drain.onClose("db", () -> calls.add("close db"));
        drain.onClose("log", () -> calls.add("close log"));
        assertEquals(0, drain.run("test"));
        assertEquals(List.of("http.stopAccepting", "admin.stopAccepting", "http.awaitIdle", "admin.awaitIdle",
                "close db", "close log"), calls);
    }

    @Test
    void abandonedWorkOrAFailingHookExitsOne() {
        List<String> calls = new ArrayList<>();
        Drain late = new Drain(Duration.ofSeconds(10), null, 1);
        late.add(recording(calls, "http", false));
        assertEquals(1, late.run("test"));

        Drain failing = new Drain(Duration.ofSeconds(10), null, 1);
        failing.onClose("broken", () -> {
            throw new IllegalStateException("boom");
        });
        failing.onClose("after", () -> calls.add("after still closed"));
        assertEquals(1, failing.run("test"));
        assertEquals("after still closed", calls.get(calls.size() - 1));
    }

    @Test
    void inflightTrackerWaitsForTheLastRequest() throws Exception {
        InflightTracker t = new InflightTracker();
        t.begin();
        Thread finisher = new Thread(t::end);
        finisher.start();
        assertEquals(true, t.awaitIdle(Instant.now().plusSeconds(10)));
        finisher.join();
        assertEquals(1, t.served());
        t.begin();
        assertEquals(false, t.awaitIdle(Instant.now().plusMillis(50)));
    }
}
