package io.svcproxy.diff;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Renders a {@link ChangeSet} as a readable diff grouped by service:
 * <pre>
 * ~ ns1/svc1:p80
 *     ~ nat KUBE-SVC-AAA (rewritten)
 *         - -A KUBE-SVC-AAA ...
 *         + -A KUBE-SVC-AAA ...
 * 2 to add, 1 to delete, 1 chains rewritten
 * </pre>
 * Deterministic; ANSI colour only when asked (the CLI passes isatty).
 */
public final class DiffRenderer {
    private static final String GREEN = "\u001b[32m";
    private static final String RED = "\u001b[31m";
    private static final String YELLOW = "\u001b[33m";
    private static final String BOLD = "\u001b[1m";
    private static final String RESET = "\u001b[0m";
    static final String NODE_WIDE = "(node-wide)";

    private final boolean colour;

    public DiffRenderer(boolean colour) {
        this.colour = colour;
    }

    public String render(ChangeSet changes) {
        StringBuilder sb = new StringBuilder();
        try {
            render(changes, sb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }

    public void render(ChangeSet changes, Appendable out) throws IOException {
        for (ServiceChanges service : changes.services()) {
            String sign = switch (service.status()) {
                case ADDED -> "+";
                case REMOVED -> "-";
                case CHANGED -> "~";
            };
            line(out, sign, BOLD, sign + " " + (service.nodeWide() ? NODE_WIDE : service.service()));
            for (ChainChange chain : service.chains()) {
                String chainSign = switch (chain.kind()) {
                    case CREATED -> "+";
                    case DELETED -> "-";
                    case REWRITTEN, EDITED -> "~";
                };
                String note = chain.kind() == ChainChange.Kind.REWRITTEN ? " (rewritten)" : "";
                line(out, chainSign, "", "    " + chainSign + " " + chain.table() + " " + chain.chain() + note);
                for (String rule : chain.removed()) {
                    line(out, "-", "", "        - " + ruleText(chain.chain(), rule));
                }
                for (String rule : chain.added()) {
                    line(out, "+", "", "        + " + ruleText(chain.chain(), rule));
                }
            }
        }
        out.append(summary(changes.counts())).append('\n');
    }

    public static String summary(ChangeCounts counts) {
        if (counts.payloadLines() == 0) {
            return "No changes.";
        }
        return counts.rulesAdded() + " to add, " + counts.rulesDeleted() + " to delete, "
                + counts.chainsRewritten() + " chains rewritten (" + counts.chainsCreated() + " chains created, "
                + counts.chainsDeleted() + " chains deleted)";
    }

    private static String ruleText(String chain, String rule) {
        return rule.isEmpty() ? "-A " + chain : "-A " + chain + " " + rule;
    }

    private void line(Appendable out, String sign, String extra, String text) throws IOException {
        if (!colour) {
            out.append(text).append('\n');
            return;
        }
        String c = switch (sign) {
            case "+" -> GREEN;
            case "-" -> RED;
            default -> YELLOW;
        };
        out.append(c).append(extra).append(text).append(RESET).append('\n');
    }
}
