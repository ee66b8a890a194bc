package dev.baton.supervisor.os;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * The numbered entries of a /proc directory: the pids in /proc, the thread ids in
 * /proc/PID/task. Read with one {@link File#list} and a digit check, not a
 * DirectoryStream with a "[0-9]*" glob: batond runs interpreted (-Xint), where the glob's regex
 * and the stream's classes cost milliseconds at their first use (a reload's hand-over).
 */
final class ProcIds {
    private ProcIds() {}

    /** The ids in {@code dir} now; none when it has gone. */
    static List<Long> in(String dir) {
        String[] names = new File(dir).list();
        List<Long> ids = new ArrayList<>();
        if (names == null) {
            return ids;
        }
        for (String name : names) {
            if (!name.isEmpty() && name.charAt(0) >= '0' && name.charAt(0) <= '9') {
                try {
                    ids.add(Long.parseLong(name));
                } catch (NumberFormatException e) {
                    // not an id
                }
            }
        }
        return ids;
    }
}
