package io.rerankflow.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.inference.BatchingSettings;
import io.rerankflow.inference.Device;
import io.rerankflow.inference.EngineSettings;
import io.rerankflow.schemas.RawRequest;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.testing.TestModelDirs;
import io.rerankflow.testing.TinyCrossEncoder;
import io.rerankflow.testing.TinyModelCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The operator's metrics on a MiniCluster with real ONNX Runtime: registered, and they move. */
class RerankAsyncFunctionMetricsITCase {
  @RegisterExtension static final TinyModelCluster CLUSTER = TinyModelCluster.withMetrics(1);

  @Test
  void pairsBatchesPaddingWaitInferenceAndPassageCacheAreReported(@TempDir Path dir)
      throws Exception {
    TinyCrossEncoder tiny = TinyCrossEncoder.builder().tokenTypes(true).seed(4).build();
    Path model = TestModelDirs.crossEncoder(dir.resolve("tiny"), "tiny", tiny, 24);
    List<RawRequest> requests = new ArrayList<>();
    int pairs = 0;
    java.util.Set<Integer> distinct = new java.util.HashSet<>();
    for (int r = 0; r < 12; r++) {
      StringBuilder passages = new StringBuilder();
      for (int p = 0; p <= r % 4; p++) {
        passages
            .append(p == 0 ? "" : ",")
            .append("{\"text\":\"the road ")
            .append("long ".repeat(p + r))
            .append("\"}");
        pairs++;
        distinct.add(p + r);
      }
      String json =
          "{\"model\":\"tiny\",\"query\":{\"text\":\"which road\"},\"passages\":["
              + passages
              + "]}";
      requests.add(new RawRequest("r" + r, "test", json.getBytes(StandardCharsets.UTF_8)));
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    EngineSettings settings =
        new EngineSettings(List.of(model.toString()), Device.CPU, 1, new BatchingSettings(64, 4));
    AsyncDataStream.unorderedWait(
            env.fromData(requests), new RerankAsyncFunction(settings), 1, TimeUnit.MINUTES, 8)
        .name("rerank")
        .returns(RerankOutput.class)
        .sinkTo(new DiscardingSink<>());
    JobExecutionResult result = env.execute("metrics");
    JobID job = result.getJobID();

    Map<String, Metric> metrics = CLUSTER.metrics().findMetrics(job, EngineMetrics.GROUP + ".");
    assertThat(counter(metrics, EngineMetrics.PAIRS_SCORED)).isEqualTo(pairs);
    assertThat(metric(metrics, EngineMetrics.PAIRS_SCORED_RATE)).isInstanceOf(Meter.class);
    long batches = counter(metrics, EngineMetrics.BATCHES);
    assertThat(batches).isPositive();
    // identical pairs pending at the same time run once, so rows may be fewer than pairs
    assertThat(counter(metrics, EngineMetrics.ROWS))
        .isBetween((long) distinct.size(), (long) pairs);
    assertThat(counter(metrics, EngineMetrics.PADDED_TOKENS))
        .isGreaterThanOrEqualTo(counter(metrics, EngineMetrics.REAL_TOKENS))
        .isPositive();
    assertThat(histogram(metrics, EngineMetrics.BATCH_ROWS).getCount()).isEqualTo(batches);
    assertThat(histogram(metrics, EngineMetrics.BATCH_ROWS).getStatistics().getMax())
        .isBetween(1L, 4L);
    assertThat(histogram(metrics, EngineMetrics.BATCH_PADDING).getCount()).isEqualTo(batches);
    assertThat(histogram(metrics, EngineMetrics.INFERENCE_TIME).getCount()).isEqualTo(batches);
    assertThat(metric(metrics, EngineMetrics.INFERENCE_TOTAL)).isInstanceOf(Counter.class);
    assertThat(histogram(metrics, EngineMetrics.QUEUE_WAIT).getCount()).isEqualTo(12);
    assertThat(((Gauge<?>) metric(metrics, EngineMetrics.IN_FLIGHT)).getValue()).isEqualTo(0);
    // Each distinct passage text is encoded once, also when two encoding threads meet it at the
    // same moment; every other lookup is a hit.
    long misses = counter(metrics, EngineMetrics.CACHE_MISSES);
    assertThat(misses).isEqualTo(distinct.size());
    assertThat(counter(metrics, EngineMetrics.CACHE_HITS) + misses).isEqualTo(pairs);
  }

  private static Metric metric(Map<String, Metric> metrics, String name) {
    return metrics.entrySet().stream()
        .filter(e -> e.getKey().endsWith("." + EngineMetrics.GROUP + "." + name))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " not registered: " + metrics.keySet()));
  }

  private static long counter(Map<String, Metric> metrics, String name) {
    return ((Counter) metric(metrics, name)).getCount();
  }

  private static Histogram histogram(Map<String, Metric> metrics, String name) {
    return (Histogram) metric(metrics, name);
  }
}
