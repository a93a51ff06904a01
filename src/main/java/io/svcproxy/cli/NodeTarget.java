package io.svcproxy.cli;

import io.svcproxy.apply.BackendDetector;
import io.svcproxy.apply.CommandRunner;
import io.svcproxy.apply.IptablesBackend;
import io.svcproxy.apply.LiveRulesetReader;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.SaveParser;
import io.svcproxy.model.IpFamily;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What "plan --against" compares with: an empty node, this node's kernel, or an iptables-save dump. */
final class NodeTarget {
    private enum Kind { EMPTY, LIVE, DUMP }

    private final Kind kind;
    private final Path dump;
    private final String backend;
    private IptablesBackend liveBackend;

    private NodeTarget(Kind kind, Path dump, String backend) {
        this.kind = kind;
        this.dump = dump;
        this.backend = backend;
    }

    static NodeTarget parse(String against, String backend) {
        switch (against) {
            case "empty": return new NodeTarget(Kind.EMPTY, null, backend);
            case "live": return new NodeTarget(Kind.LIVE, null, backend);
            default:
                Path p = Path.of(against);
                if (!Files.isRegularFile(p)) {
                    throw new IllegalArgumentException("--against: '" + against
                            + "' is neither 'empty', 'live' nor a readable iptables-save file");
                }
                return new NodeTarget(Kind.DUMP, p, backend);
        }
    }

    boolean isEmpty() {
        return kind == Kind.EMPTY;
    }

    boolean isDump() {
        return kind == Kind.DUMP;
    }

    Ruleset read(IpFamily family) {
        switch (kind) {
            case EMPTY:
                return Ruleset.empty(family);
            case DUMP:
                try {
                    return SaveParser.parse(family, Files.readString(dump));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + dump + ": " + e.getMessage(), e);
                }
            default:
                CommandRunner runner = new CommandRunner();
                if (liveBackend == null) {
                    // Detected once: detection reads both backends' rules, which need not be done per family.
                    liveBackend = new BackendDetector(runner).choose(backend).backend();
                }
                return new LiveRulesetReader(runner, liveBackend).read(family);
        }
    }
}
