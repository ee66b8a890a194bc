package dev.baton.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The machine a run was taken on, for results.json and the README. */
record Machine(String cpu, int cpus, long memoryMb, String os, String kernel, String java) {
    static Machine current() {
        String cpu = firstValue(Path.of("/proc/cpuinfo"), "model name", ":");
        String memory = firstValue(Path.of("/proc/meminfo"), "MemTotal", ":");
        long memoryMb = memory.isEmpty() ? 0 : Long.parseLong(memory.split("\\s+")[0]) / 1024;
        String os = firstValue(Path.of("/etc/os-release"), "PRETTY_NAME", "=").replace("\"", "");
        return new Machine(cpu, Runtime.getRuntime().availableProcessors(), memoryMb, os,
                System.getProperty("os.version"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    }

    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("cpu", cpu);
        json.put("cpus", cpus);
        json.put("memoryMb", memoryMb);
        json.put("os", os);
        json.put("kernel", kernel);
        json.put("java", java);
        return json;
    }

    /** One line: "2 cores (AMD EPYC), 23 GB, Debian GNU/Linux 12 (bookworm), OpenJDK 64-Bit Server VM 17.0.15". */
    String describe() {
        return cpus + " cores (" + cpu + "), " + Math.round(memoryMb / 1024.0) + " GB, " + os + ", kernel " + kernel
                + ", " + java;
    }

    private static String firstValue(Path file, String key, String separator) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    int at = line.indexOf(separator);
                    if (at >= 0) {
                        return line.substring(at + 1).trim();
                    }
                }
            }
        } catch (IOException e) {
            // Not on this system: the field stays empty.
        }
        return "";
    }
}
