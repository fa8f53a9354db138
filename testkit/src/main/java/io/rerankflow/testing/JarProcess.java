package io.rerankflow.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A module's runnable jar in a child JVM, started the way {@code scripts/rerank} and {@code
 * scripts/evaluate} start theirs ({@code java -jar}), with their JVM options, its console going to
 * a log file. The jar is the one {@code package} built before the integration tests.
 */
public final class JarProcess implements AutoCloseable {
  /** scripts/job-java-options and the launchers' system properties. */
  private static final List<String> JAVA_OPTIONS =
      List.of("-XX:+UseParallelGC", "-DOPT_OUT_TRACKING=true", "-Dai.djl.offline=true");

  private final Process process;
  private final Path log;

  private JarProcess(List<String> mainAndArgs, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JAVA_OPTIONS);
    command.addAll(mainAndArgs);
    this.log = log;
    this.process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** {@code java -jar JAR ARGS}, the console into {@code log}. */
  public static JarProcess start(Path jar, Path log, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of("-jar", jar.toAbsolutePath().toString()));
    command.addAll(args);
    return new JarProcess(command, log);
  }

  /**
   * Polls {@code condition} until it holds; false when the process ended first or {@code bound}
   * passed (a generous bound, not a timing claim).
   */
  public boolean awaitWhileRunning(BooleanSupplier condition, Duration bound)
      throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (System.nanoTime() < deadline && process.isAlive()) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }

  /** SIGKILL, as a crash or a pre-empted machine ends a run. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** The exit code, waiting at most {@code bound}; fails when the process outlives it. */
  public int exitCode(Duration bound) throws InterruptedException, IOException {
    if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("still running after " + bound + ":\n" + console());
    }
    return process.exitValue();
  }

  public String console() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
