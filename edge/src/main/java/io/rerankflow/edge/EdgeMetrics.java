package io.rerankflow.edge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;

/** The edge's Prometheus metrics, kept by Micrometer and scraped at {@code GET /v1/metrics}. */
final class EdgeMetrics {
  private static final Duration MIN_LATENCY = Duration.ofMillis(1);
  private static final Duration MAX_LATENCY = Duration.ofMinutes(3);

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Timer pipeline;

  EdgeMetrics() {
    pipeline =
        Timer.builder("rerankflow.edge.pipeline.duration")
            .description("Request record to result record: the job's share of a ranking")
            .publishPercentileHistogram()
            .minimumExpectedValue(MIN_LATENCY)
            .maximumExpectedValue(MAX_LATENCY)
            .register(registry);
  }

  /** Registers a gauge read from {@code value} at every scrape. */
  EdgeMetrics gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
    return this;
  }

  /** One answered ranking request: its status and how long the edge took end to end. */
  void answered(int status, long nanos) {
    Counter.builder("rerankflow.edge.requests")
        .description("Ranking requests answered, by HTTP status")
        .tag("status", Integer.toString(status))
        .register(registry)
        .increment();
    Timer.builder("rerankflow.edge.request.duration")
        .description("Ranking requests from arrival to answer")
        .tag("status", Integer.toString(status))
        .publishPercentileHistogram()
        .minimumExpectedValue(MIN_LATENCY)
        .maximumExpectedValue(MAX_LATENCY)
        .register(registry)
        .record(Duration.ofNanos(nanos));
  }

  /** One ranking answered for the API key named {@code key} (never the key itself). */
  void keyAnswered(String key, int status) {
    Counter.builder("rerankflow.edge.key.requests")
        .description("Ranking requests answered, by API key name and HTTP status")
        .tag("key", key)
        .tag("status", Integer.toString(status))
        .register(registry)
        .increment();
  }

  void pipelineTook(long millis) {
    pipeline.record(Duration.ofMillis(millis));
  }

  /** The Prometheus text exposition. */
  String scrape() {
    return registry.scrape();
  }
}
