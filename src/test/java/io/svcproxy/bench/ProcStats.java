package io.svcproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the kernel says about a process, read from outside it: CPU seconds from /proc/PID/stat (its
 * own utime + stime plus cutime + cstime, the children it waited for: every iptables-restore it ran)
 * and peak RSS from /proc/PID/status VmHWM. The daemon's threads are in its own times.
 */
public record ProcStats(double cpuSeconds, double ownCpuSeconds, double childCpuSeconds, double peakRssMiB,
                        double rssMiB) {
    /** USER_HZ: Linux reports clock ticks of 1/100 s to user space on every architecture we run on. */
    static final double CLOCK_TICKS = 100.0;

    /** The process's stats, or null when it is gone. */
    public static ProcStats of(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
            return parse(stat, status);
        } catch (IOException e) {
            return null;
        }
    }

    static ProcStats parse(String stat, String status) {
        // Fields after the command name, which is in parentheses and may hold spaces.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // f[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
        double own = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLOCK_TICKS;
        double children = (Long.parseLong(f[13]) + Long.parseLong(f[14])) / CLOCK_TICKS;
        return new ProcStats(own + children, own, children, kib(status, "VmHWM:") / 1024.0,
                kib(status, "VmRSS:") / 1024.0);
    }

    private static long kib(String status, String field) {
        for (String line : status.lines().toList()) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    /** The process's JVM options as its command line shows them (-X..., -D...), for the report. */
    public static List<String> jvmOptions(long pid) {
        List<String> out = new ArrayList<>();
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            for (String arg : new String(raw).split("\0")) {
                if (arg.equals("-jar") || arg.equals("-cp")) {
                    break;
                }
                if (arg.startsWith("-")) {
                    out.add(arg);
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** JAVA_TOOL_OPTIONS in the process's environment (the image and chart put the JVM flags there), or "". */
    public static String javaToolOptions(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
            for (String kv : new String(raw).split("\0")) {
                if (kv.startsWith("JAVA_TOOL_OPTIONS=")) {
                    return kv.substring("JAVA_TOOL_OPTIONS=".length());
                }
            }
        } catch (IOException e) {
            return "";
        }
        return "";
    }
}
