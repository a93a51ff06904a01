package io.svcproxy.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** kube-proxy's --oom-score-adj: keep the node's proxy alive under memory pressure. */
final class OomScore {
    private static final Logger LOG = LoggerFactory.getLogger(OomScore.class);

    private OomScore() {
    }

    static void apply(int score) {
        if (score < -1000 || score > 1000) {
            throw new IllegalArgumentException("--oom-score-adj " + score + " out of range -1000..1000");
        }
        Path file = Path.of("/proc/self/oom_score_adj");
        try {
            Files.writeString(file, Integer.toString(score));
            LOG.info("oom_score_adj set to {}", score);
        } catch (IOException e) {
            LOG.warn("--oom-score-adj {} not applied ({}); the container runtime may set it instead", score,
                    e.getMessage());
        }
    }
}
