package io.rerankflow.testing;

import java.io.StringWriter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Everything the project's classes log (every level) and every warning of any other class, kept in
 * memory so a test can scan it; the console still shows warnings only.
 */
public final class CapturedLogs implements AutoCloseable {
  private static final String PROJECT = "io.rerankflow";

  private final StringWriter text = new StringWriter();
  private final LoggerContext context;
  private final WriterAppender appender;

  private CapturedLogs() {
    context = (LoggerContext) LogManager.getContext(false);
    Configuration config = context.getConfiguration();
    appender =
        WriterAppender.newBuilder()
            .setName("captured-" + System.identityHashCode(this))
            .setTarget(text)
            .setLayout(PatternLayout.newBuilder().withPattern("%p %c - %m%n%ex").build())
            .build();
    appender.start();
    config.addAppender(appender);
    LoggerConfig project = new LoggerConfig(PROJECT, Level.ALL, false);
    project.addAppender(appender, Level.ALL, null);
    project.addAppender(config.getRootLogger().getAppenders().get("Console"), Level.WARN, null);
    config.addLogger(PROJECT, project);
    config.getRootLogger().addAppender(appender, null, null);
    context.updateLoggers();
  }

  public static CapturedLogs start() {
    return new CapturedLogs();
  }

  /** What was logged so far. */
  public synchronized String text() {
    return text.toString();
  }

  @Override
  public void close() {
    Configuration config = context.getConfiguration();
    config.removeLogger(PROJECT);
    config.getRootLogger().removeAppender(appender.getName());
    context.updateLoggers();
    appender.stop();
  }
}
