package dev.baton.supervisor.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.jr.ob.JSON;
import org.junit.jupiter.api.Test;

/** What batond writes, batonctl reads with jackson-jr: the two must agree. */
public class JsonWriterTest {
    @Test
    void jacksonReadsBackWhatWasWritten() throws Exception {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("pid", 12345L);
        inner.put("gen", 7);
        inner.put("ok", true);
        inner.put("ready_at", null);
        inner.put("ratio", 1.5);
        inner.put("text", "quote \" backslash \\ newline \n tab \t bell \u0007 é ✓");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("generations", new ArrayList<>(List.of(inner, Map.of())));
        m.put("empty", List.of());
        m.put("counts", Arrays.asList(1, -2L, null));
        String json = JsonWriter.write(m);
        assertEquals(-1, json.indexOf('\n'), "one line");
        assertEquals(JSON.std.asString(JSON.std.anyFrom(JSON.std.asString(m))), JSON.std.asString(JSON.std.anyFrom(json)));
        assertEquals("{\"a\":[1,\"x\",null,false]}", JsonWriter.write(Map.of("a", Arrays.asList(1, "x", null, false))));
    }

    @Test
    void aRealStatusAnswer() throws Exception {
        Map<String, Object> error = ControlResponses.error("refused: uid 1000 may not control this batond");
        assertEquals(JSON.std.asString(error), JsonWriter.write(error));
    }

    @Test
    void aTypeItDoesNotKnowIsRefusedNotWrittenAsItsToString() {
        IllegalArgumentException array = assertThrows(IllegalArgumentException.class,
                () -> JsonWriter.write(Map.of("pids", new int[] {1, 2})));
        assertTrue(array.getMessage().contains("cannot write a [I"), array.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JsonWriter.write(List.of(java.time.Instant.EPOCH)));
        assertThrows(IllegalArgumentException.class, () -> JsonWriter.write(Map.of(List.of(1), "key of a list")));
        assertThrows(IllegalArgumentException.class, () -> JsonWriter.write(new Object()));
    }
}
