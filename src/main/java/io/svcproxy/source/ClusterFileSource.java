package io.svcproxy.source;

import io.svcproxy.model.ClusterSnapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads a cluster snapshot file: what {@code kubectl get svc,endpointslices,nodes,servicecidrs -A -o yaml}
 * prints, multi-document YAML, or JSON. Same file and hostname give the same snapshot.
 */
public final class ClusterFileSource {
    public static final long MAX_FILE_BYTES = KubernetesDocumentReader.MAX_BYTES;

    private final Path file;
    private final String hostname;

    /** @param hostname this node's name (--hostname-override); empty uses the file's only Node */
    public ClusterFileSource(Path file, String hostname) {
        this.file = file;
        this.hostname = hostname == null ? "" : hostname;
    }

    /** @throws SourceException naming the file when it cannot be read or parsed at all */
    public ClusterSnapshot load() {
        String name = Texts.oneLine(file.toString());
        try {
            if (Files.isRegularFile(file) && Files.size(file) > MAX_FILE_BYTES) {
                throw new SourceException(name + ": file is " + Files.size(file) + " bytes, larger than the limit of "
                        + MAX_FILE_BYTES);
            }
            ParsedObjects parsed;
            try (InputStream in = Files.newInputStream(file)) {
                parsed = KubernetesDocumentReader.read(in, file.toString());
            }
            return SnapshotBuilder.build(parsed.services(), parsed.slices(), parsed.serviceCidrs(),
                    NodeSelector.select(parsed.nodes(), hostname), hostname, parsed.warnings());
        } catch (NoSuchFileException e) {
            throw new SourceException(name + ": no such file", e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof SourceException se) {
                throw se;
            }
            throw new SourceException(name + ": cannot read cluster objects: " + Texts.oneLine(e.getMessage()), e);
        }
    }

    public Path file() {
        return file;
    }

    public Optional<String> hostname() {
        return hostname.isEmpty() ? Optional.empty() : Optional.of(hostname);
    }
}
