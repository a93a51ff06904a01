package io.svcproxy.source;

import io.svcproxy.model.Addresses;

/** Makes user-controlled text safe to put in a message or a log line. */
final class Texts {
    private Texts() {
    }

    /** Control characters escaped, length bounded; null shown as "<null>". */
    static String quote(String text) {
        return text == null ? "<null>" : Addresses.printable(text);
    }

    /** "ns/name" of an object for a Warning, each part escaped. */
    static String objectName(String namespace, String name) {
        String n = name == null || name.isEmpty() ? "<unnamed>" : quote(name);
        return namespace == null || namespace.isEmpty() ? n : quote(namespace) + "/" + n;
    }

    /** The first line of a (parser) message, escaped and bounded, for errors about whole files. */
    static String oneLine(String message) {
        if (message == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < message.length() && sb.length() < 300; i++) {
            char c = message.charAt(i);
            if (c == '\n') {
                break;
            }
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
