package io.svcproxy.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One classic Prometheus histogram scraped from the text exposition (cumulative buckets by upper
 * bound, summed over its label sets, e.g. both IP families), and quantiles of the difference of two
 * scrapes the way PromQL's histogram_quantile does it (linear within the bucket), so the proxy's own
 * network programming latency over a burst can be printed beside what the bench measured.
 */
public record PromHistogram(TreeMap<Double, Double> cumulative, double count, double sum) {
    private static final Pattern BUCKET = Pattern.compile("le=\"([^\"]+)\"");

    public static PromHistogram parse(String exposition, String name) {
        return parse(exposition, name, "");
    }

    /** Only the series whose labels contain {@code labelFilter} (e.g. {@code ip_family="IPv4"}). */
    public static PromHistogram parse(String exposition, String name, String labelFilter) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        double count = 0;
        double sum = 0;
        for (String line : exposition.lines().toList()) {
            if (line.startsWith("#") || !line.startsWith(name) || !line.contains(labelFilter)) {
                continue;
            }
            String rest = line.substring(name.length());
            double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            if (rest.startsWith("_bucket")) {
                Matcher m = BUCKET.matcher(rest);
                if (m.find()) {
                    double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
                    buckets.merge(le, value, Double::sum);
                }
            } else if (rest.startsWith("_count")) {
                count += value;
            } else if (rest.startsWith("_sum")) {
                sum += value;
            }
        }
        return new PromHistogram(buckets, count, sum);
    }

    /** This scrape minus an earlier one: the observations made in between. */
    public PromHistogram minus(PromHistogram earlier) {
        TreeMap<Double, Double> d = new TreeMap<>();
        for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
            d.put(e.getKey(), e.getValue() - earlier.cumulative.getOrDefault(e.getKey(), 0.0));
        }
        return new PromHistogram(d, count - earlier.count, sum - earlier.sum);
    }

    /** The q-quantile (0..1) in the histogram's unit, NaN with no observation; the highest finite bound if in +Inf. */
    public double quantile(double q) {
        double total = cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
        if (total <= 0) {
            return Double.NaN;
        }
        double rank = q * total;
        double lowerBound = 0;
        double lowerCount = 0;
        for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
            if (e.getValue() >= rank) {
                if (e.getKey().isInfinite()) {
                    return lowerBound;
                }
                double inBucket = e.getValue() - lowerCount;
                return inBucket <= 0 ? e.getKey()
                        : lowerBound + (e.getKey() - lowerBound) * (rank - lowerCount) / inBucket;
            }
            lowerBound = e.getKey();
            lowerCount = e.getValue();
        }
        return lowerBound;
    }
}
