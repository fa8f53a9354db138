package io.rerankflow.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The scaffolding of the ITCases that run a job on a MiniCluster with tiny models, in one place: a
 * MiniCluster (one TaskManager) started once per test class, optionally with an in-memory metrics
 * reporter, and tiny cross-encoder directories written into the extension's own temporary
 * directory, removed after the class. Register it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension static final TinyModelCluster CLUSTER = TinyModelCluster.withSlots(2);
 * ... Path model = CLUSTER.crossEncoder("tiny", TINY, 64);
 * }</pre>
 */
public final class TinyModelCluster
    implements BeforeAllCallback,
        AfterAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        ParameterResolver {
  private final MiniClusterExtension cluster;
  private final InMemoryReporter reporter;
  private Path directory;

  private TinyModelCluster(int slots, InMemoryReporter reporter) {
    Configuration config = new Configuration();
    if (reporter != null) {
      reporter.addToConfiguration(config);
    }
    this.reporter = reporter;
    this.cluster =
        new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                .setConfiguration(config)
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(slots)
                .build());
  }

  /** A cluster of one TaskManager with {@code slots} slots. */
  public static TinyModelCluster withSlots(int slots) {
    return new TinyModelCluster(slots, null);
  }

  /** As {@link #withSlots}, every metric kept by an in-memory reporter (see {@link #metrics}). */
  public static TinyModelCluster withMetrics(int slots) {
    return new TinyModelCluster(slots, InMemoryReporter.createWithRetainedMetrics());
  }

  /** The in-memory reporter of a cluster made {@link #withMetrics}. */
  public InMemoryReporter metrics() {
    if (reporter == null) {
      throw new IllegalStateException("made withSlots: use TinyModelCluster.withMetrics");
    }
    return reporter;
  }

  /** A tiny cross-encoder's model directory named {@code name}, written now. */
  public Path crossEncoder(String name, TinyCrossEncoder model, int maxLength) {
    return TestModelDirs.crossEncoder(directory().resolve(name), name, model, maxLength);
  }

  /** The extension's temporary directory, for files its tests share. */
  public Path directory() {
    if (directory == null) {
      throw new IllegalStateException("the cluster is not started: register it as a static field");
    }
    return directory;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    directory = Files.createTempDirectory("rerankflow-tiny-models");
    cluster.beforeAll(context);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      cluster.afterAll(context);
    } finally {
      deleteRecursively(directory);
      directory = null;
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    cluster.beforeEach(context);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    cluster.afterEach(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context)
      throws ParameterResolutionException {
    return cluster.supportsParameter(parameter, context);
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context)
      throws ParameterResolutionException {
    return cluster.resolveParameter(parameter, context);
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
