package dev.baton.supervisor.os;

import java.io.FileInputStream;
import java.io.IOException;

/**
 * One numeric field of a {@code /proc/PID/stat} or {@code /proc/PID/task/TID/stat}, read the
 * cheap way: a plain read into a reused buffer, the bytes parsed in place. A priority restore
 * reads every process's stat on batond's loop, and batond runs interpreted (-Xint), where
 * {@link ProcStat}'s Files.readString and split cost several times more.
 */
final class ProcStatField {
    /** The kernel's fields: 5 the process group, 19 the nice value (counted as in proc(5)). */
    static final int PROCESS_GROUP = 5;
    static final int NICE = 19;
    /** What {@link #read} returns for a file gone or not as the kernel writes it. */
    static final long NONE = Long.MIN_VALUE;

    private final byte[] buffer = new byte[1024];

    /** Field {@code field} (4 or more) of the stat file at {@code path}, or {@link #NONE}. */
    long read(String path, int field) {
        int n;
        try (FileInputStream in = new FileInputStream(path)) {
            n = in.read(buffer);
        } catch (IOException e) {
            return NONE;
        }
        // COMM (field 2) may hold anything, ") " included: count from the last ')'.
        int i = n - 1;
        while (i >= 0 && buffer[i] != ')') {
            i--;
        }
        if (i < 0) {
            return NONE;
        }
        i += 2; // field 3 starts here
        for (int f = 3; f < field; f++) {
            while (i < n && buffer[i] != ' ') {
                i++;
            }
            i++;
        }
        boolean negative = i < n && buffer[i] == '-';
        if (negative) {
            i++;
        }
        int start = i;
        long value = 0;
        while (i < n && buffer[i] >= '0' && buffer[i] <= '9' && i - start < 18) {
            value = value * 10 + (buffer[i] - '0');
            i++;
        }
        if (i == start) {
            return NONE;
        }
        return negative ? -value : value;
    }
}
