package io.svcproxy.testing.topology;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Counts of probe outcomes by backend name (or failure kind), with the slowest attempt. */
public record Histogram(List<Probe> probes, Map<String, Integer> counts) {
    public static Histogram of(Collection<Probe> probes) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Probe p : probes) {
            counts.merge(p.key(), 1, Integer::sum);
        }
        return new Histogram(List.copyOf(probes), counts);
    }

    public int total() {
        return probes.size();
    }

    public int count(String key) {
        return counts.getOrDefault(key, 0);
    }

    public double share(String key) {
        return total() == 0 ? 0 : (double) count(key) / total();
    }

    public int failures() {
        return (int) probes.stream().filter(p -> !p.ok()).count();
    }

    public long maxMillis() {
        return probes.stream().mapToLong(Probe::millis).max().orElse(0);
    }

    /** e.g. "300 probes: a=97 (32%) b=104 (35%) c=99 (33%); slowest 12 ms". */
    @Override
    public String toString() {
        return total() + " probes: " + counts.entrySet().stream()
                .map(e -> String.format("%s=%d (%.0f%%)", e.getKey(), e.getValue(), 100.0 * share(e.getKey())))
                .collect(Collectors.joining(" ")) + "; slowest " + maxMillis() + " ms"
                + (failures() == 0 ? "" : "; first failure: " + probes.stream().filter(p -> !p.ok()).findFirst()
                        .map(Probe::raw).orElse(""));
    }
}
