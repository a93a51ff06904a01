package io.svcproxy.cli;

/**
 * Turns an exception into one line an operator can act on. Expected failures (bad input, missing
 * tools) carry their own message; anything else is named by type so the report is still useful.
 */
final class ErrorMessages {
    private ErrorMessages() {
    }

    static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t instanceof java.io.UncheckedIOException)) {
            t = t.getCause();
        }
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName();
        }
        if (t instanceof IllegalArgumentException || t instanceof IllegalStateException
                || t.getClass().getPackageName().startsWith("io.svcproxy")) {
            return message;
        }
        return t.getClass().getSimpleName() + ": " + message;
    }
}
