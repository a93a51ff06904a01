package io.svcproxy.source;

/**
 * Thrown inside a converter at the first bad field of an object; the converter catches it and turns
 * it into exactly one {@link io.svcproxy.model.Warning}. Never leaves this package.
 */
final class InvalidField extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String field;

    InvalidField(String field, String message) {
        super(message, null, false, false);
        this.field = field;
    }

    String field() {
        return field;
    }
}
