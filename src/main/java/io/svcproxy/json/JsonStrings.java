package io.svcproxy.json;

/**
 * JSON string literals (RFC 8259): the one quoter behind every JSON body we write by hand
 * (explain's output, the health servers' bodies). Pure: depends on nothing of ours.
 */
public final class JsonStrings {
    private JsonStrings() {
    }

    /**
     * {@code s} as a JSON string literal: quote and backslash escaped, {@code \n \r \t} by their short
     * escapes, every other control character (below U+0020) and every unpaired surrogate (which no UTF-8
     * encoder could write) as {@code \}{@code uXXXX}; everything else, non-ASCII included, as it is.
     */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || unpairedSurrogate(s, i)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static boolean unpairedSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        return Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
    }
}
