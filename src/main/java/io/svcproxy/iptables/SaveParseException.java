package io.svcproxy.iptables;

/** Malformed iptables-save (or restore) text; the message names the line. */
public final class SaveParseException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final int lineNumber;

    public SaveParseException(int lineNumber, String message, String line) {
        super("line " + lineNumber + ": " + message + (line == null ? "" : ": '" + abbreviate(line) + "'"));
        this.lineNumber = lineNumber;
    }

    public int lineNumber() {
        return lineNumber;
    }

    private static String abbreviate(String line) {
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
