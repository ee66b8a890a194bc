package dev.baton.supervisor.os;

import java.util.ArrayList;
import java.util.List;

/**
 * The processes of a process group now: every pid in /proc whose stat names the group, leader
 * included while it lives. Linux keeps no list of a group's members, so this reads every
 * process's stat; batond does it only where it must (a priority restore, a SIGKILL's count).
 */
final class ProcessGroups {
    private ProcessGroups() {}

    /** The live members of group {@code pgid}, in /proc's order; {@code stat} is reused across reads. */
    static List<Long> members(String proc, long pgid, ProcStatField stat) {
        List<Long> members = new ArrayList<>();
        for (long pid : ProcIds.in(proc)) {
            if (stat.read(proc + "/" + pid + "/stat", ProcStatField.PROCESS_GROUP) == pgid) {
                members.add(pid);
            }
        }
        return members;
    }
}
