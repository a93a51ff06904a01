package io.svcproxy.diff;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which rules of a chain can stay where they are: a longest common subsequence of the actual and
 * desired rule lists, in O(n log n). Each actual rule is mapped to the desired index it would take,
 * and a longest increasing subsequence of those indices is kept.
 *
 * <p>Duplicates: when a rule occurs k times in actual and m times in desired, the LAST m actual
 * occurrences are mapped (to the desired occurrences in order), so the surplus occurrences are the
 * earliest ones. "-D CHAIN spec" deletes the first equal rule, so deleting by spec then removes
 * exactly the occurrences this alignment dropped (exact when desired rules are unique).
 */
final class RuleAlignment {
    final boolean[] keptActual;
    final boolean[] keptDesired;
    final int keptCount;

    private RuleAlignment(boolean[] keptActual, boolean[] keptDesired, int keptCount) {
        this.keptActual = keptActual;
        this.keptDesired = keptDesired;
        this.keptCount = keptCount;
    }

    static RuleAlignment of(List<String> actual, List<String> desired) {
        Map<String, List<Integer>> desiredPositions = new HashMap<>(desired.size() * 2);
        for (int i = 0; i < desired.size(); i++) {
            desiredPositions.computeIfAbsent(desired.get(i), k -> new ArrayList<>(1)).add(i);
        }
        Map<String, Integer> actualCounts = new HashMap<>(actual.size() * 2);
        for (String rule : actual) {
            actualCounts.merge(rule, 1, Integer::sum);
        }
        int[] target = new int[actual.size()];
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < actual.size(); i++) {
            String rule = actual.get(i);
            target[i] = -1;
            List<Integer> positions = desiredPositions.get(rule);
            if (positions == null) {
                continue;
            }
            int occurrence = seen.merge(rule, 1, Integer::sum) - 1;
            int j = occurrence - (actualCounts.get(rule) - positions.size());
            if (j >= 0) {
                target[i] = positions.get(j);
            }
        }
        return longestIncreasing(target, desired.size());
    }

    /** Patience sorting with predecessor links over the mapped (>= 0) entries of target. */
    private static RuleAlignment longestIncreasing(int[] target, int desiredSize) {
        int n = target.length;
        int[] tailIndex = new int[n];   // tailIndex[len-1] = actual index ending the best run of that length
        int[] previous = new int[n];
        int length = 0;
        for (int i = 0; i < n; i++) {
            int value = target[i];
            if (value < 0) {
                continue;
            }
            int lo = 0;
            int hi = length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (target[tailIndex[mid]] < value) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            previous[i] = lo > 0 ? tailIndex[lo - 1] : -1;
            tailIndex[lo] = i;
            if (lo == length) {
                length++;
            }
        }
        boolean[] keptActual = new boolean[n];
        boolean[] keptDesired = new boolean[desiredSize];
        for (int i = length > 0 ? tailIndex[length - 1] : -1; i >= 0; i = previous[i]) {
            keptActual[i] = true;
            keptDesired[target[i]] = true;
        }
        return new RuleAlignment(keptActual, keptDesired, length);
    }

    @Override
    public String toString() {
        return "RuleAlignment[kept=" + keptCount + ", actual=" + Arrays.toString(keptActual) + "]";
    }
}
