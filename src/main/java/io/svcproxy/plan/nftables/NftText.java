package io.svcproxy.plan.nftables;

import io.svcproxy.model.Addresses;
import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftElement;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftSet;
import io.svcproxy.nftables.NftTable;
import io.svcproxy.nftables.NftType;
import io.svcproxy.nftables.NftVerdict;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Tables as {@code nft list ruleset} (nft 1.0.6) prints them: sets and maps (type, size, flags,
 * timeout, comment, elements wrapped as nft wraps them), then chains (base chain declaration,
 * comment, rules). The same text is valid {@code nft -f} input. Element order is the model's (by
 * key); the kernel lists hash sets in its own order, which nothing can reproduce.
 */
public final class NftText {
    private static final String WRAP = ",\n\t\t\t     ";

    private NftText() {
    }

    public static String render(List<NftTable> tables) {
        return render(tables, false);
    }

    /**
     * {@code nft -f} input that makes the kernel hold exactly these tables (into an empty namespace,
     * or see {@link #renderReplacing}). The same as {@link #render} but where nft would compile the
     * listed text into other expressions (a one-element interval set that nft merged).
     */
    public static String renderLoadable(List<NftTable> tables) {
        return render(tables, true);
    }

    private static String render(List<NftTable> tables, boolean loadable) {
        StringBuilder sb = new StringBuilder();
        for (NftTable t : tables) {
            sb.append(render(t, loadable));
        }
        return sb.toString();
    }

    /**
     * {@code nft -f} input that replaces our tables wholesale in one transaction, whatever is there:
     * each table is declared (a no-op when it exists), deleted, then written out. Affinity sets start
     * empty again; use it for tools and tests, not for a live node's routine sync.
     */
    public static String renderReplacing(List<NftTable> tables) {
        StringBuilder sb = new StringBuilder();
        for (NftTable t : tables) {
            String id = t.family().keyword() + " " + name(t.name());
            sb.append("table ").append(id).append('\n').append("delete table ").append(id).append('\n');
        }
        return sb.append(renderLoadable(tables)).toString();
    }

    public static String render(NftTable t) {
        return render(t, false);
    }

    private static String render(NftTable t, boolean loadable) {
        StringBuilder sb = new StringBuilder();
        sb.append("table ").append(t.family().keyword()).append(' ').append(name(t.name())).append(" {\n");
        if (t.comment() != null) {
            sb.append("\tcomment ").append(NftValueText.quoted(t.comment())).append('\n');
        }
        List<String> blocks = new ArrayList<>();
        for (NftSet s : t.sets().values()) {
            blocks.add(set(s));
        }
        NftRuleText rules = new NftRuleText(t.family(), loadable);
        for (NftChain c : t.chains().values()) {
            blocks.add(chain(c, t.family(), rules));
        }
        sb.append(String.join("\n", blocks));
        sb.append("}\n");
        return sb.toString();
    }

    static String set(NftSet s) {
        StringBuilder sb = new StringBuilder();
        sb.append('\t').append(s.isMap() ? "map " : "set ").append(name(s.name())).append(" {\n");
        sb.append("\t\ttype ").append(s.keyType().nftName());
        if (s.isMap()) {
            sb.append(" : ").append(s.dataType().nftName());
        }
        sb.append('\n');
        if (s.size() > 0) {
            sb.append("\t\tsize ").append(s.size()).append('\n');
        }
        List<String> flags = new ArrayList<>();
        if ((s.flags() & NftSet.F_CONSTANT) != 0) {
            flags.add("constant");
        }
        if ((s.flags() & NftSet.F_EVAL) != 0) {
            flags.add("dynamic");
        }
        if ((s.flags() & NftSet.F_INTERVAL) != 0) {
            flags.add("interval");
        }
        if ((s.flags() & NftSet.F_TIMEOUT) != 0) {
            flags.add("timeout");
        }
        if (!flags.isEmpty()) {
            sb.append("\t\tflags ").append(String.join(",", flags)).append('\n');
        }
        if (s.timeoutMillis() > 0) {
            sb.append("\t\ttimeout ").append(NftValueText.duration(s.timeoutMillis())).append('\n');
        }
        if (s.comment() != null) {
            sb.append("\t\tcomment ").append(NftValueText.quoted(s.comment())).append('\n');
        }
        if (!s.elements().isEmpty() && !s.isDynamic()) {
            sb.append("\t\telements = { ");
            int perLine = perLine(s);
            List<NftElement> els = s.elements();
            for (int i = 0; i < els.size(); i++) {
                if (i > 0) {
                    sb.append(perLine > 1 && i % perLine != 0 ? ", " : WRAP);
                }
                sb.append(element(s, els.get(i)));
            }
            sb.append(" }\n");
        }
        sb.append("\t}\n");
        return sb.toString();
    }

    /** nft's line wrapping of named set elements: 2 IPv4 addresses a line, 5 small integers, else one. */
    private static int perLine(NftSet s) {
        if (s.keyType().concatenated()) {
            return 1;
        }
        return switch (s.keyType().fields().get(0)) {
            case IPV4_ADDR -> 2;
            case INTEGER, INET_PROTO, INET_SERVICE, MARK -> 5;
            default -> 1;
        };
    }

    /** "key [comment "c"] [: value]"; an interval element (data = end) prints as a CIDR or a range. */
    static String element(NftSet s, NftElement e) {
        String key;
        if ((s.flags() & NftSet.F_INTERVAL) != 0 && !s.isMap() && e.data() != null) {
            key = interval(s.keyType().fields().get(0), e.key(), e.data());
        } else {
            key = NftValueText.value(s.keyType(), e.key());
        }
        StringBuilder sb = new StringBuilder(key);
        if (e.comment() != null) {
            sb.append(" comment ").append(NftValueText.quoted(e.comment()));
        }
        if (s.isMap()) {
            sb.append(" : ");
            if (s.isVerdictMap()) {
                NftVerdict v = e.verdict();
                if (v == null) {
                    throw new IllegalArgumentException("verdict map element without a verdict");
                }
                sb.append(v.kind() == NftVerdict.Kind.JUMP || v.kind() == NftVerdict.Kind.GOTO
                        ? v.kind().name().toLowerCase() + " " + name(v.chain()) : v.text());
            } else {
                sb.append(NftValueText.value(s.dataType(), e.data()));
            }
        }
        return sb.toString();
    }

    private static String interval(NftType type, Bytes start, Bytes endExclusive) {
        BigInteger a = new BigInteger(1, start.toArray());
        BigInteger b = new BigInteger(1, endExclusive.toArray());
        int bits = start.length() * 8;
        if (b.signum() == 0) {
            b = BigInteger.ONE.shiftLeft(bits);
        }
        BigInteger size = b.subtract(a);
        if (size.equals(BigInteger.ONE)) {
            return NftValueText.field(type, start);
        }
        if (size.bitCount() == 1 && a.mod(size).signum() == 0) {
            return NftValueText.field(type, start) + "/" + (bits - (size.bitLength() - 1));
        }
        byte[] last = b.subtract(BigInteger.ONE).toByteArray();
        byte[] out = new byte[start.length()];
        for (int i = 0; i < out.length && i < last.length; i++) {
            out[out.length - 1 - i] = last[last.length - 1 - i];
        }
        return NftValueText.field(type, start) + "-" + NftValueText.field(type, Bytes.of(out));
    }

    static String chain(NftChain c, NftFamily family, NftRuleText rules) {
        StringBuilder sb = new StringBuilder();
        sb.append("\tchain ").append(name(c.name())).append(" {\n");
        if (c.comment() != null) {
            sb.append("\t\tcomment ").append(NftValueText.quoted(c.comment())).append('\n');
        }
        if (c.base() != null) {
            NftChain.Base b = c.base();
            sb.append("\t\ttype ").append(b.type()).append(" hook ").append(hook(b.hook()))
                    .append(" priority ").append(priority(family, b.hook(), b.priority()))
                    .append("; policy ").append(b.policy().text()).append(";\n");
        }
        for (var r : c.rules()) {
            sb.append("\t\t").append(rules.render(r)).append('\n');
        }
        sb.append("\t}\n");
        return sb.toString();
    }

    static String hook(int hook) {
        return switch (hook) {
            case NftChain.PREROUTING -> "prerouting";
            case NftChain.INPUT -> "input";
            case NftChain.FORWARD -> "forward";
            case NftChain.OUTPUT -> "output";
            case NftChain.POSTROUTING -> "postrouting";
            default -> throw new IllegalArgumentException("hook " + hook);
        };
    }

    /** nft's symbolic priorities (within 10 of a standard one valid for the hook), else the number. */
    static String priority(NftFamily family, int hook, int prio) {
        record Std(String name, int value, int onlyHook) {
        }
        List<Std> std = List.of(new Std("raw", -300, -1), new Std("mangle", -150, -1),
                new Std("dstnat", -100, NftChain.PREROUTING), new Std("filter", 0, -1), new Std("security", 50, -1),
                new Std("srcnat", 100, NftChain.POSTROUTING));
        for (Std s : std) {
            if (s.onlyHook() != -1 && s.onlyHook() != hook) {
                continue;
            }
            int off = prio - s.value();
            if (off == 0) {
                return s.name();
            }
            if (Math.abs(off) <= 10) {
                return s.name() + (off > 0 ? " + " : " - ") + Math.abs(off);
            }
        }
        return Integer.toString(prio);
    }

    /**
     * Object names go into the text unquoted, so only nft's identifier characters may appear
     * (letters, digits, _ . / - and a leading letter, _ or .); anything else is refused, never printed.
     */
    static String name(String n) {
        if (n == null || n.isEmpty() || n.length() > 256) {
            throw new IllegalArgumentException("bad nft object name");
        }
        char first = n.charAt(0);
        if (!(Character.isLetter(first) && first < 0x80) && first != '_' && first != '.') {
            throw new IllegalArgumentException("nft name must start with a letter, _ or .: " + n);
        }
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                    || c == '.' || c == '/' || c == '-';
            if (!ok) {
                throw new IllegalArgumentException("not an nft identifier: " + Addresses.printable(n));
            }
        }
        return n;
    }
}
