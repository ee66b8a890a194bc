package dev.baton.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void writesNestedValuesAndEscapesStrings() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", "a \"quoted\"\\ line\n");
        map.put("n", 3);
        map.put("x", 1.5);
        map.put("nan", Double.NaN);
        map.put("none", null);
        map.put("list", Arrays.asList(true, List.of(), Map.of()));
        assertEquals("""
                {
                  "name": "a \\"quoted\\"\\\\ line\\n",
                  "n": 3,
                  "x": 1.5,
                  "nan": null,
                  "none": null,
                  "list": [
                    true,
                    [],
                    {}
                  ]
                }
                """, Json.write(map));
    }
}
