package io.svcproxy.diff;

import java.io.IOException;

/** One line of an iptables-restore --noflush payload. */
public sealed interface RestoreLine {

    void appendTo(Appendable out) throws IOException;

    /** ":CHAIN - [0:0]": creates the chain, or flushes it when it exists (also under --noflush). */
    record DeclareChain(String chain) implements RestoreLine {
        @Override
        public void appendTo(Appendable out) throws IOException {
            out.append(':').append(chain).append(" - [0:0]\n");
        }
    }

    /** "-D CHAIN spec": deletes the first rule equal to spec. */
    record DeleteRule(String chain, String spec) implements RestoreLine {
        @Override
        public void appendTo(Appendable out) throws IOException {
            rule(out, "-D ", chain, spec);
        }
    }

    /** "-I CHAIN position spec", position 1-based. */
    record InsertRule(String chain, int position, String spec) implements RestoreLine {
        @Override
        public void appendTo(Appendable out) throws IOException {
            out.append("-I ").append(chain).append(' ').append(Integer.toString(position));
            specTail(out, spec);
        }
    }

    /** "-A CHAIN spec". */
    record AppendRule(String chain, String spec) implements RestoreLine {
        @Override
        public void appendTo(Appendable out) throws IOException {
            rule(out, "-A ", chain, spec);
        }
    }

    /** "-X CHAIN": deletes an empty, unreferenced user chain. */
    record DeleteChain(String chain) implements RestoreLine {
        @Override
        public void appendTo(Appendable out) throws IOException {
            out.append("-X ").append(chain).append('\n');
        }
    }

    private static void rule(Appendable out, String command, String chain, String spec) throws IOException {
        out.append(command).append(chain);
        specTail(out, spec);
    }

    private static void specTail(Appendable out, String spec) throws IOException {
        if (!spec.isEmpty()) {
            out.append(' ').append(spec);
        }
        out.append('\n');
    }
}
