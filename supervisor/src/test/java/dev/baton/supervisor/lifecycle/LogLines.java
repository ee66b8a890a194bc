package dev.baton.supervisor.lifecycle;

import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/** The lines batond's logger writes while open, as a user reads them (the message, formatted). */
final class LogLines implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger("batond");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogLines() {
        appender.start();
        logger.addAppender(appender);
    }

    static LogLines capture() {
        return new LogLines();
    }

    boolean contains(String line) {
        return lines().contains(line);
    }

    List<String> lines() {
        return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }

    @Override
    public String toString() {
        return String.join("\n", lines());
    }
}
