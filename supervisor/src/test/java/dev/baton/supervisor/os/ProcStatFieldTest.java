package dev.baton.supervisor.os;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One field of a stat file, counted past the last ')' whatever the command name holds. */
class ProcStatFieldTest {
    @Test
    void processGroupAndNiceEvenWithParenthesesAndBlanksInTheName(@TempDir Path dir) throws Exception {
        Path stat = dir.resolve("stat");
        Files.writeString(stat, "4242 (a) b (c) d) S 1 4240 4240 0 -1 4194560 1 0 0 0 0 0 0 0 25 -5 1 0 1 1 1\n");
        ProcStatField field = new ProcStatField();
        assertEquals(4240, field.read(stat.toString(), ProcStatField.PROCESS_GROUP));
        assertEquals(-5, field.read(stat.toString(), ProcStatField.NICE));
        Files.writeString(stat, "4242 (java) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 39 19 1 0 1 1 1\n");
        assertEquals(19, field.read(stat.toString(), ProcStatField.NICE));
    }

    @Test
    void aFileGoneOrNotTheKernelsIsNone(@TempDir Path dir) throws Exception {
        ProcStatField field = new ProcStatField();
        assertEquals(ProcStatField.NONE, field.read(dir.resolve("missing").toString(), ProcStatField.NICE));
        Path odd = Files.writeString(dir.resolve("odd"), "no parenthesis here\n");
        assertEquals(ProcStatField.NONE, field.read(odd.toString(), ProcStatField.NICE));
        Path shortened = Files.writeString(dir.resolve("short"), "1 (x) S 1\n");
        assertEquals(ProcStatField.NONE, field.read(shortened.toString(), ProcStatField.NICE));
    }

    @Test
    void theLiveFileOfThisProcessAgreesWithProcStat() {
        String self = "/proc/" + ProcessHandle.current().pid() + "/stat";
        assertEquals(ProcStat.read(Path.of(self)).orElseThrow().processGroup(),
                new ProcStatField().read(self, ProcStatField.PROCESS_GROUP));
        assertEquals(ProcStat.nice(Path.of(self)).getAsInt(), new ProcStatField().read(self, ProcStatField.NICE));
    }
}
