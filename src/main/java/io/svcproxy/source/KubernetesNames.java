package io.svcproxy.source;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * The API server's name and label syntax. Checked again at our border because a snapshot file
 * is hand-editable, and these strings end up in iptables comments and chain hashes.
 */
final class KubernetesNames {
    private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern LABEL_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");

    private KubernetesNames() {
    }

    static boolean isDns1123Label(String s) {
        return s != null && s.length() <= 63 && DNS1123_LABEL.matcher(s).matches();
    }

    static boolean isDns1035Label(String s) {
        return s != null && s.length() <= 63 && DNS1035_LABEL.matcher(s).matches();
    }

    static boolean isDns1123Subdomain(String s) {
        if (s == null || s.isEmpty() || s.length() > 253) {
            return false;
        }
        for (String part : s.split("\\.", -1)) {
            if (!isDns1123Label(part)) {
                return false;
            }
        }
        return true;
    }

    /** Label values may be empty; otherwise alnum at both ends, '-', '_', '.' inside, at most 63. */
    static boolean isLabelValue(String s) {
        return s != null && (s.isEmpty() || (s.length() <= 63 && LABEL_NAME.matcher(s).matches()));
    }

    /** "[prefix/]name" where prefix is a DNS-1123 subdomain. */
    static boolean isLabelKey(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        int slash = s.indexOf('/');
        String name = slash < 0 ? s : s.substring(slash + 1);
        if (slash >= 0 && !isDns1123Subdomain(s.substring(0, slash))) {
            return false;
        }
        return !name.isEmpty() && name.length() <= 63 && LABEL_NAME.matcher(name).matches();
    }

    /** Checks every label; throws {@link InvalidField} naming the first bad one. */
    static void checkLabels(Map<String, String> labels) {
        if (labels == null) {
            return;
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!isLabelKey(e.getKey())) {
                throw new InvalidField("metadata.labels", "invalid label key '" + Texts.quote(e.getKey()) + "'");
            }
            if (!isLabelValue(e.getValue())) {
                throw new InvalidField("metadata.labels[" + e.getKey() + "]",
                        "invalid label value '" + Texts.quote(e.getValue()) + "'");
            }
        }
    }
}
