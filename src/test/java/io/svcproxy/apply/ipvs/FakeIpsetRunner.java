package io.svcproxy.apply.ipvs;

import io.svcproxy.apply.CommandRunner;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The ipset tool in memory, behind {@link CommandRunner}: "ipset save" prints what the real one
 * prints (with bucketsize/initval and "family" words), "ipset restore -exist" applies create / add /
 * del / destroy lines, strictly: a line for a missing set, or re-creating a set with another type,
 * fails the run with ipset's "Error in line N" message, and nothing after it is applied. A set in
 * {@link #inUse} (named by some iptables rule, e.g. a stranger's) cannot be destroyed, as in the kernel.
 */
final class FakeIpsetRunner extends CommandRunner {
    final Map<String, String> types = new LinkedHashMap<>();
    final Map<String, Set<String>> members = new LinkedHashMap<>();
    final List<List<String>> commands = new ArrayList<>();
    final List<String> restored = new ArrayList<>();
    /** Sets an iptables rule names: the kernel refuses to destroy them. */
    final Set<String> inUse = new LinkedHashSet<>();

    @Override
    public Result run(List<String> command, Consumer<OutputStream> stdin, Duration timeout) {
        commands.add(command);
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        stdin.accept(in);
        if (command.equals(List.of("ipset", "save"))) {
            StringBuilder sb = new StringBuilder();
            types.forEach((name, type) -> {
                sb.append("create ").append(name).append(' ').append(type);
                sb.append(type.equals("bitmap:port") ? " range 0-65535" : (type.contains("family inet6") ? ""
                        : " family inet") + " hashsize 1024 maxelem 65536 bucketsize 12 initval 0x5e0a1b2c");
                sb.append('\n');
                members.get(name).forEach(m -> sb.append("add ").append(name).append(' ').append(m).append('\n'));
            });
            return new Result(command, 0, sb.toString(), "");
        }
        if (command.equals(List.of("ipset", "restore", "-exist"))) {
            int n = 0;
            for (String line : in.toString(StandardCharsets.UTF_8).split("\n")) {
                n++;
                String error = apply(line.trim());
                if (error != null) {
                    return new Result(command, 1, "", "ipset v7.17: Error in line " + n + ": " + error);
                }
                restored.add(line);
            }
            return new Result(command, 0, "", "");
        }
        return new Result(command, 2, "", "unexpected command " + command);
    }

    int restoreRuns() {
        return (int) commands.stream().filter(c -> c.contains("restore")).count();
    }

    private String apply(String line) {
        String[] f = line.split(" ");
        String name = f.length > 1 ? f[1] : "";
        switch (f[0]) {
            case "create":
                String type = f[2] + (line.contains("family inet6") ? " family inet6" : "");
                if (types.containsKey(name)) {
                    return types.get(name).equals(type) ? null
                            : "Set cannot be created: set with the same name already exists";
                }
                types.put(name, type);
                members.put(name, new LinkedHashSet<>());
                return null;
            case "add":
            case "del":
                if (!types.containsKey(name)) {
                    return "The set with the given name does not exist";
                }
                if (f[0].equals("add")) {
                    members.get(name).add(f[2]);
                } else {
                    members.get(name).remove(f[2]);
                }
                return null;
            case "destroy":
                if (!types.containsKey(name)) {
                    return "The set with the given name does not exist";
                }
                if (inUse.contains(name)) {
                    return "Set cannot be destroyed: it is in use by a kernel component";
                }
                types.remove(name);
                members.remove(name);
                return null;
            default:
                return "unknown command " + f[0];
        }
    }
}
