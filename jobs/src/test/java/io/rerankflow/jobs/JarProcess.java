package io.rerankflow.jobs;

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
 * The job jar in a child JVM, started the way {@code scripts/rerank} ({@code java -jar}) and {@code
 * scripts/evaluate} ({@code -cp jar EvaluateJob}) start it, with their JVM options, its console
 * going to a log file. The jar is the one {@code package} built before the integration tests.
 */
final class JarProcess implements AutoCloseable {
  static final Path JAR = Path.of("target", "rerankflow-jobs.jar").toAbsolutePath();

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

  /** {@code scripts/rerank ARGS}. */
  static JarProcess rerank(Path log, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of("-jar", JAR.toString()));
    command.addAll(args);
    return new JarProcess(command, log);
  }

  /** {@code scripts/evaluate ARGS}. */
  static JarProcess evaluate(Path log, List<String> args) throws IOException {
    List<String> command =
        new ArrayList<>(List.of("-cp", JAR.toString(), EvaluateJob.class.getName()));
    command.addAll(args);
    return new JarProcess(command, log);
  }

  /**
   * Polls {@code condition} until it holds; false when the process ended first or {@code bound}
   * passed (a generous bound, not a timing claim).
   */
  boolean awaitWhileRunning(BooleanSupplier condition, Duration bound) throws InterruptedException {
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
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** The exit code, waiting at most {@code bound}; fails when the process outlives it. */
  int exitCode(Duration bound) throws InterruptedException, IOException {
    if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("still running after " + bound + ":\n" + console());
    }
    return process.exitValue();
  }

  String console() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
