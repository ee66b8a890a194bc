package dev.baton.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The rule batond and batonctl share for the control socket's default path. */
class ControlPathTest {
    @Test
    void systemdsRuntimeDirectoryFirstThenXdgThenTmpOrRun() {
        assertEquals(Path.of("/run/hello/control"),
                ControlPath.fromEnvironment(Map.of("RUNTIME_DIRECTORY", "/run/hello:/run/other", "XDG_RUNTIME_DIR", "/run/user/1")));
        assertEquals(Path.of("/run/user/1/baton/control"), ControlPath.fromEnvironment(Map.of("XDG_RUNTIME_DIR", "/run/user/1")));
        Path fallback = ControlPath.fromEnvironment(Map.of("RUNTIME_DIRECTORY", "", "XDG_RUNTIME_DIR", ""));
        assertTrue(fallback.equals(Path.of("/run/baton/control")) || fallback.toString().matches("/tmp/baton-\\d+/control"),
                fallback::toString);
    }
}
