package dev.baton.supervisor.os;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class WordsTest {
    @Test
    void aBlankIsWhatCharacterIsWhitespaceSaysForEveryChar() {
        for (int c = Character.MIN_VALUE; c <= Character.MAX_VALUE; c++) {
            assertEquals(Character.isWhitespace((char) c), Words.blank((char) c), "char " + c);
        }
    }

    @Test
    void wordsAreSplitOnRunsOfBlanks() {
        assertEquals(List.of("TcpExt:", "1", "22"), Words.of("  TcpExt:\t1 \u2003 22\n"));
        assertEquals(List.of(), Words.of(" \t "));
    }
}
