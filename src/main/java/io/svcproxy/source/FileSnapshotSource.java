package io.svcproxy.source;

import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Warning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A cluster file as the source of truth (the demo, and a static VIP over the API servers). Polls
 * the file's modification time and size; a file that cannot be read or parsed keeps the last good
 * snapshot, so a bad edit never empties the node's rules.
 */
public final class FileSnapshotSource implements SnapshotSource {
    private static final Logger LOG = LoggerFactory.getLogger(FileSnapshotSource.class);
    private final Path file;
    private final String hostname;
    private final long pollMillis;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cluster-file-watch");
        t.setDaemon(true);
        return t;
    });
    private volatile ClusterSnapshot snapshot;
    private String version;

    /** Loads the file once; fails if the first read fails (there is no good snapshot to fall back on). */
    public FileSnapshotSource(Path file, String hostname, long pollMillis) {
        this.file = file;
        this.hostname = hostname;
        this.pollMillis = pollMillis;
        this.version = version();
        this.snapshot = load();
    }

    @Override
    public void start(Runnable onChange) {
        poller.scheduleWithFixedDelay(() -> poll(onChange), pollMillis, pollMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public ClusterSnapshot current() {
        return snapshot;
    }

    private void poll(Runnable onChange) {
        try {
            String now = version();
            if (Objects.equals(now, version)) {
                return;
            }
            version = now;
            snapshot = load();
            LOG.info("cluster file {} changed: {} service ports", file, snapshot.services().size());
            onChange.run();
        } catch (RuntimeException e) {
            LOG.warn("cluster file {} not reloaded, keeping the last good state: {}", file, e.getMessage());
        }
    }

    private ClusterSnapshot load() {
        ClusterSnapshot s = new ClusterFileSource(file, hostname).load();
        for (Warning w : s.warnings()) {
            LOG.warn("{}", w);
        }
        return s;
    }

    private String version() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.lastModifiedTime().toMillis() + ":" + a.size() + ":" + a.fileKey();
        } catch (IOException e) {
            return "missing";
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
