package io.svcproxy.source;

/** A cluster file that cannot be read at all (missing, too large, not YAML/JSON); names the file. */
public class SourceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SourceException(String message, Throwable cause) {
        super(message, cause);
    }

    public SourceException(String message) {
        super(message);
    }
}
