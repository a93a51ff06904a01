package io.svcproxy.plan.nftables;

import io.svcproxy.model.ServicePortName;
import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftElement;
import io.svcproxy.nftables.NftOp;
import io.svcproxy.nftables.NftSet;
import io.svcproxy.nftables.NftTable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A batch of ops as nft commands ("add rule ip kube-proxy services ...", "delete element ip
 * kube-proxy cluster-ips { 10.96.0.10 }"), for the dry run and `plan --output diff`. Grouped by the
 * service port each change belongs to (the shared objects first), so a reader sees per service what
 * would change. Every line is an nft command with the syntax {@code nft -f} reads.
 */
public final class NftOpsText {
    private static final String SHARED = "(shared)";

    private NftOpsText() {
    }

    /**
     * @param ops    the batch, in order
     * @param sets   where element lines find their set's types: the desired table, else the actual one
     * @param owner  the service port a chain or set belongs to, or null for the shared ones
     */
    public static String render(List<NftOp> ops, Function<String, NftSet> sets,
                                Function<String, ServicePortName> owner) {
        Map<String, List<String>> groups = new TreeMap<>((a, b) -> a.equals(b) ? 0
                : a.equals(SHARED) ? -1 : b.equals(SHARED) ? 1 : a.compareTo(b));
        for (NftOp op : ops) {
            if (op instanceof NftOp.AddElements || op instanceof NftOp.DeleteElements) {
                elementLines(op, sets, owner, groups);
            } else {
                groups.computeIfAbsent(label(objectOf(op), owner), k -> new ArrayList<>()).add(line(op));
            }
        }
        StringBuilder sb = new StringBuilder();
        groups.forEach((label, lines) -> {
            sb.append("# ").append(label).append('\n');
            lines.forEach(l -> sb.append(l).append('\n'));
        });
        return sb.toString();
    }

    /** For a table plan: sets from it, owners from its service ports (indexed once, not scanned per op). */
    public static String render(List<NftOp> ops, NftablesFamilyPlan plan, NftTable actual) {
        Map<String, ServicePortName> owners = new java.util.HashMap<>();
        plan.services().forEach((name, objs) -> {
            objs.chains().keySet().forEach(c -> owners.put(c, name));
            objs.sets().keySet().forEach(x -> owners.put(x, name));
        });
        return render(ops, name -> {
            NftSet s = plan.table().sets().get(name);
            return s != null || actual == null ? s : actual.sets().get(name);
        }, owners::get);
    }

    private static String label(ServicePortName owner) {
        return owner == null ? SHARED : owner.toString();
    }

    /**
     * The group of a chain or set: its planned owner, else (a stale object the plan no longer has)
     * the service port its name spells ("kind-HASH8-ns/svc/proto/port[__...]"), so a stale chain, its
     * sets and the rewritten chains that used them stay in one group, in batch order, and the text
     * loads with nft -f; names it cannot read go to the shared group.
     */
    private static String label(String object, Function<String, ServicePortName> owner) {
        ServicePortName planned = owner.apply(object);
        if (planned != null) {
            return planned.toString();
        }
        int dash = object.indexOf('-');
        if (dash < 0 || object.length() < dash + 10 || object.charAt(dash + 9) != '-') {
            return SHARED;
        }
        String rest = object.substring(dash + 10);
        int cut = rest.indexOf("__");
        if (cut >= 0) {
            rest = rest.substring(0, cut);
        }
        String[] parts = rest.split("/", -1);
        if (parts.length != 4 || rest.contains("...")) {
            return SHARED;
        }
        return parts[0] + "/" + parts[1] + (parts[3].isEmpty() ? "" : ":" + parts[3]);
    }

    private static String objectOf(NftOp op) {
        if (op instanceof NftOp.AddChain c) {
            return c.chain().name();
        } else if (op instanceof NftOp.FlushChain c) {
            return c.chain();
        } else if (op instanceof NftOp.DeleteChain c) {
            return c.chain();
        } else if (op instanceof NftOp.AddRule r) {
            return r.chain();
        } else if (op instanceof NftOp.AddSet s) {
            return s.set().name();
        } else if (op instanceof NftOp.DeleteSet s) {
            return s.set();
        }
        return "";
    }

    /** One line per element, each under the service its comment or its verdict's chain names. */
    private static void elementLines(NftOp op, Function<String, NftSet> sets, Function<String, ServicePortName> owner,
                                     Map<String, List<String>> groups) {
        boolean add = op instanceof NftOp.AddElements;
        String setName = add ? ((NftOp.AddElements) op).set() : ((NftOp.DeleteElements) op).set();
        List<NftElement> elements = add ? ((NftOp.AddElements) op).elements() : ((NftOp.DeleteElements) op).elements();
        NftSet set = sets.apply(setName);
        String where = where(op) + " " + NftText.name(setName);
        Map<String, List<String>> byOwner = new LinkedHashMap<>();
        for (NftElement e : elements) {
            String text;
            if (set == null) {
                text = "# unrenderable: element of unknown set " + setName;
            } else if (add) {
                text = NftText.element(set, e);
            } else {
                text = NftText.element(keysOnly(set), NftElement.key(e.key()));
            }
            String label = SHARED;
            if (e.comment() != null) {
                label = e.comment();
                ServicePortName byVerdict = e.verdict() != null && e.verdict().chain() != null
                        ? owner.apply(e.verdict().chain()) : null;
                if (byVerdict != null) {
                    label = byVerdict.toString();
                }
            } else if (e.verdict() != null && e.verdict().chain() != null) {
                label = label(e.verdict().chain(), owner);
            } else {
                label = label(setName, owner);
            }
            byOwner.computeIfAbsent(label, k -> new ArrayList<>()).add(text);
        }
        byOwner.forEach((label, texts) -> {
            for (String t : texts) {
                groups.computeIfAbsent(label, k -> new ArrayList<>())
                        .add((add ? "add element " : "delete element ") + where + " { " + t + " }");
            }
        });
    }

    /** The same set seen as a plain set of keys: what a delete names. */
    private static NftSet keysOnly(NftSet s) {
        return new NftSet(s.name(), s.keyType(), null, s.flags() & ~NftSet.F_MAP, 0, 0, null, List.of());
    }

    private static String where(NftOp op) {
        return op.family().keyword() + " " + NftText.name(op.table());
    }

    /** One op as one line, for a log: element lists are counted, not listed. */
    public static String summary(NftOp op) {
        if (op instanceof NftOp.AddElements a) {
            return "add element " + where(op) + " " + NftText.name(a.set()) + " (" + a.elements().size() + " elements)";
        } else if (op instanceof NftOp.DeleteElements d) {
            return "delete element " + where(op) + " " + NftText.name(d.set()) + " (" + d.elements().size()
                    + " elements)";
        }
        return line(op);
    }

    static String line(NftOp op) {
        String where = where(op);
        if (op instanceof NftOp.AddTable t) {
            return "add table " + where + (t.comment() == null ? ""
                    : " { comment " + NftValueText.quoted(t.comment()) + "; }");
        } else if (op instanceof NftOp.DeleteTable) {
            return "delete table " + where;
        } else if (op instanceof NftOp.AddChain c) {
            return "add chain " + where + " " + NftText.name(c.chain().name()) + body(
                    NftText.chain(c.chain().withRules(List.of()), op.family(), new NftRuleText(op.family())), " ");
        } else if (op instanceof NftOp.FlushChain c) {
            return "flush chain " + where + " " + NftText.name(c.chain());
        } else if (op instanceof NftOp.DeleteChain c) {
            return "delete chain " + where + " " + NftText.name(c.chain());
        } else if (op instanceof NftOp.AddRule r) {
            return "add rule " + where + " " + NftText.name(r.chain()) + " " + new NftRuleText(op.family()).render(r.rule());
        } else if (op instanceof NftOp.AddSet s) {
            return "add " + (s.set().isMap() ? "map " : "set ") + where + " " + NftText.name(s.set().name())
                    + body(NftText.set(s.set()), "; ");
        } else if (op instanceof NftOp.DeleteSet s) {
            return "delete set " + where + " " + NftText.name(s.set());
        }
        throw new IllegalArgumentException("no text for " + op);
    }

    /** A rendered block's inner lines as one brace block on a line: " { type ...; flags ...; }" ("" if none). */
    private static String body(String block, String separator) {
        String[] lines = block.split("\n");
        List<String> inner = new ArrayList<>();
        for (int i = 1; i < lines.length - 1; i++) {
            String l = lines[i].strip();
            if (!l.isEmpty()) {
                inner.add(l.endsWith(";") ? l.substring(0, l.length() - 1) : l);
            }
        }
        if (inner.isEmpty()) {
            return "";
        }
        return " { " + String.join(separator.equals(" ") ? "; " : separator, inner) + "; }";
    }
}
