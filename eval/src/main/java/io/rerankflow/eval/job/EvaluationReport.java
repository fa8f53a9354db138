package io.rerankflow.eval.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rerankflow.eval.MetricsReport;
import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RerankOutput;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The outcome of an evaluation: the first-stage versus reranked metrics, and the requests that
 * could not be ranked (their queries are left out of both sides of the comparison, and listed).
 *
 * @param model the served model that reranked
 * @param requests requests sent through the pipeline
 * @param metrics the comparison over the queries that were ranked and have a relevant judgment
 * @param failures the error records, in request order
 */
record EvaluationReport(
    String model, int requests, MetricsReport metrics, List<RerankOutput> failures) {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int SHOWN_FAILURES = 10;

  EvaluationReport {
    failures = List.copyOf(failures);
  }

  /** {@link MetricsReport#toJson()} with {@code model}, {@code requests} and {@code failures}. */
  String toJson() {
    try {
      ObjectNode root = (ObjectNode) MAPPER.readTree(metrics.toJson());
      root.put("model", model);
      ObjectNode counts = root.putObject("requests");
      counts.put("total", requests);
      counts.put("ranked", requests - failures.size());
      counts.put("failed", failures.size());
      ArrayNode list = root.putArray("failures");
      for (RerankOutput failure : failures) {
        ObjectNode entry = list.addObject();
        entry.put("id", failure.id);
        entry.put("type", failure.errorType);
        entry.put("status", failure.errorStatus);
        entry.put("message", failure.errorMessage);
      }
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      // The tree comes from our own serialiser; failing to read it back is a bug.
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Lists the first {@value #SHOWN_FAILURES} of {@code failures}, a line each after {@code indent},
   * and where the rest are ({@code listedIn}).
   */
  static void appendFailures(
      StringBuilder text, String indent, List<RerankOutput> failures, String listedIn) {
    for (RerankOutput failure : failures.subList(0, Math.min(SHOWN_FAILURES, failures.size()))) {
      text.append(indent)
          .append("failed ")
          .append(failure.id)
          .append(": ")
          .append(failure.errorType)
          .append(' ')
          .append(failure.errorStatus)
          .append(' ')
          .append(failure.errorMessage)
          .append('\n');
    }
    if (failures.size() > SHOWN_FAILURES) {
      text.append(indent)
          .append("... ")
          .append(failures.size() - SHOWN_FAILURES)
          .append(" more in ")
          .append(listedIn)
          .append('\n');
    }
  }

  /** The metrics table, then a line on the requests and the first failures if any. */
  String toText() {
    StringBuilder text = new StringBuilder("model: ").append(model).append('\n');
    text.append(metrics.toText());
    text.append("requests: ")
        .append(requests)
        .append(", ranked ")
        .append(requests - failures.size())
        .append(", failed ")
        .append(failures.size());
    if (!failures.isEmpty()) {
      Map<ErrorKind, Long> byKind =
          failures.stream()
              .collect(
                  Collectors.groupingBy(
                      f -> f.failure().kind(),
                      () -> new EnumMap<>(ErrorKind.class),
                      Collectors.counting()));
      text.append(" (")
          .append(
              byKind.entrySet().stream()
                  .map(e -> e.getValue() + " " + e.getKey().type())
                  .collect(Collectors.joining(", ")))
          .append("; their queries are left out of both columns)");
    }
    text.append('\n');
    appendFailures(text, "  ", failures, EvaluateJob.metricsJson(model));
    return text.toString();
  }
}
