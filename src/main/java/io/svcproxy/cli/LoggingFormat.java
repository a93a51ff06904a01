package io.svcproxy.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** kube-proxy's --logging-format: "text" (default) or "json" (one JSON object per line, for log shippers). */
final class LoggingFormat {
    private LoggingFormat() {
    }

    static void apply(String format) {
        switch (format) {
            case "text":
                return;
            case "json":
                break;
            default:
                throw new IllegalArgumentException("--logging-format " + format + ": expected text or json");
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        Appender<ILoggingEvent> appender = root.getAppender("STDERR");
        if (appender instanceof ConsoleAppender<ILoggingEvent> console) {
            console.stop();
            JsonEncoder encoder = new JsonEncoder();
            encoder.setContext(context);
            encoder.setWithSequenceNumber(false);
            encoder.setWithContext(false);
            encoder.setWithFormattedMessage(true);
            encoder.setWithMessage(false);
            encoder.setWithArguments(false);
            encoder.setWithMDC(false);
            encoder.start();
            console.setEncoder(encoder);
            console.start();
        }
    }
}
