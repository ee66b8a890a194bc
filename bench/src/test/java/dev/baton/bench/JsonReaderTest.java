package dev.baton.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonReaderTest {
    @Test
    void readsWhatTheWriterWrites() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", "a \"quoted\"\\ line\n\t\u0001");
        map.put("n", 3.0);
        map.put("x", -1.5e3);
        map.put("none", null);
        map.put("list", Arrays.asList(true, false, List.of(), Map.of()));
        assertEquals(map, JsonReader.parse(Json.write(map)));
    }

    @Test
    void readsBatondsOneLineAnswer() {
        Object status = JsonReader.parse("{\"ok\":true,\"generations\":[{\"generation\":2,\"pid\":77,\"ready_at\":null}],"
                + "\"command\":\"java \\u0041\"}");
        Map<?, ?> root = (Map<?, ?>) status;
        assertEquals(Boolean.TRUE, root.get("ok"));
        assertEquals(2.0, ((Map<?, ?>) ((List<?>) root.get("generations")).get(0)).get("generation"));
        assertEquals("java A", root.get("command"));
    }

    @Test
    void refusesWhatIsNotOneValue() {
        for (String bad : List.of("", "{", "[1,]", "{\"a\" 1}", "{1:2}", "\"open", "tru", "1 2", "{\"a\":1}x", "--1")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonReader.parse(bad), bad);
            assertEquals(true, e.getMessage().startsWith("bad JSON at "), e.getMessage());
        }
    }
}
