package io.rerankflow.eval.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rerankflow.eval.Metric;
import io.rerankflow.eval.SystemComparison;
import io.rerankflow.jobs.run.JobSummary;
import io.rerankflow.schemas.RerankOutput;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * An evaluation that compares models, as people read it: the {@link SystemComparison} table with
 * its verdicts, what each model cost, and which requests failed (their queries are left out of
 * every column). Rendered for the terminal, as Markdown, JSON and a self-contained HTML page with
 * SVG plots.
 *
 * @param comparison the first stage and every model over the queries all of them ranked
 * @param models each model's result, in table order
 * @param job the job's own numbers (wall time covers every model, start-up included)
 */
record ComparisonReport(SystemComparison comparison, List<ModelResult> models, JobSummary job) {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String PROBE_NOTE =
      "Pairs, tokens and failures count the job's outputs; pairs/s and padding waste (padded"
          + " tokens that were padding) come from each model scoring a sample of its requests"
          + " again alone, with the job's batching settings (--cost-sample; '-' when skipped).";

  ComparisonReport {
    models = List.copyOf(models);
  }

  /** The table, the verdicts, a cost line per model and the first failures. */
  String toText() {
    StringBuilder text = new StringBuilder(comparison.toText());
    text.append("cost (one job for all models: ").append(job.line()).append("):\n");
    for (ModelResult model : models) {
      ModelCost cost = model.cost();
      text.append(
          String.format(
              Locale.ROOT,
              "  %s: %d pairs scored, %d tokens (%.1f per pair), %d of %d requests failed;"
                  + " alone: %s pairs/s, %s padding\n",
              model.name(),
              cost.pairs(),
              cost.tokens(),
              cost.tokensPerPair(),
              cost.failed(),
              cost.requests(),
              cost.pairsPerSecond(),
              cost.paddingWaste()));
      List<RerankOutput> failures = model.report().failures();
      EvaluationReport.appendFailures(
          text, "    ", failures, EvaluateJob.metricsJson(model.name()));
    }
    return text.toString();
  }

  /** The comparison's Markdown, then the cost table and the failures. */
  String toMarkdown() {
    StringBuilder md = new StringBuilder("# Comparison\n\n").append(comparison.toMarkdown());
    md.append("\n## Cost\n\n")
        .append("One job scored every model; ")
        .append(job.line())
        .append(". ")
        .append(PROBE_NOTE)
        .append("\n\n| model | requests | failed | pairs scored | tokens | tokens/pair | pairs/s")
        .append(" | padding waste |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (ModelResult model : models) {
      ModelCost cost = model.cost();
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %d | %d | %.1f | %s | %s |\n",
              model.name(),
              cost.requests(),
              cost.failed(),
              cost.pairs(),
              cost.tokens(),
              cost.tokensPerPair(),
              cost.pairsPerSecond(),
              cost.paddingWaste()));
    }
    md.append("\n## Failed requests\n\n").append(failureNote()).append("\n\n");
    for (ModelResult model : models) {
      for (RerankOutput failure : model.report().failures()) {
        md.append("- ")
            .append(model.name())
            .append(" `")
            .append(failure.id)
            .append("`: ")
            .append(failure.errorType)
            .append(' ')
            .append(failure.errorStatus)
            .append(' ')
            .append(failure.errorMessage)
            .append('\n');
      }
    }
    return md.toString();
  }

  /**
   * {@link SystemComparison#toJson()} with each model's cost and failures and the job's numbers.
   */
  String toJson() {
    ObjectNode root = comparison.toJsonTree();
    ObjectNode jobNode = root.putObject("job");
    jobNode.put("requests", job.requests());
    jobNode.put("pairs", job.pairs());
    jobNode.put("errors", job.errors());
    jobNode.put("wallSeconds", job.wall().toNanos() / 1e9);
    jobNode.put("pairsPerSecond", job.pairsPerSecond());
    ArrayNode list = root.putArray("models");
    for (ModelResult model : models) {
      ObjectNode entry = list.addObject();
      entry.put("name", model.name());
      ModelCost cost = model.cost();
      entry.put("requests", cost.requests());
      entry.put("failed", cost.failed());
      entry.put("pairs", cost.pairs());
      entry.put("tokens", cost.tokens());
      entry.put("runFile", EvaluateJob.rerankedRun(model.name()));
      if (cost.probe() != null) {
        ObjectNode probe = entry.putObject("costProbe");
        probe.put("requests", cost.probe().requests());
        probe.put("pairs", cost.probe().pairs());
        probe.put("realTokens", cost.probe().realTokens());
        probe.put("paddedTokens", cost.probe().paddedTokens());
        probe.put("wallSeconds", cost.probe().wallNanos() / 1e9);
        probe.put("pairsPerSecond", cost.probe().pairsPerSecond());
        probe.put("paddingWaste", cost.probe().paddingWaste());
      }
      ArrayNode failures = entry.putArray("failures");
      for (RerankOutput failure : model.report().failures()) {
        ObjectNode f = failures.addObject();
        f.put("id", failure.id);
        f.put("type", failure.errorType);
        f.put("status", failure.errorStatus);
        f.put("message", failure.errorMessage);
      }
    }
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      // Serialising a tree of plain nodes cannot fail; surface it unchecked if it ever does.
      throw new UncheckedIOException(e);
    }
  }

  /** One page with inline CSS and SVG, so it opens anywhere without a network. */
  String toHtml() {
    Metric primary = comparison.metrics().get(0);
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>rerankflow evaluation</title>\n<style>\n")
        .append(
            "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:780px;color:#222}\n"
                + "table{border-collapse:collapse;margin:1em 0}"
                + "th,td{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:right}"
                + "th:nth-child(-n+2),td:nth-child(-n+2){text-align:left}\n"
                + ".note{color:#555;font-size:.9em}.plot{margin:1.5em 0}\n")
        .append("</style>\n</head>\n<body>\n<h1>Reranker comparison</h1>\n");
    html.append("<table id=\"comparison\">\n<tr><th>#</th><th>system</th>");
    comparison
        .metrics()
        .forEach(m -> html.append("<th>").append(escape(m.label())).append("</th>"));
    html.append("</tr>\n");
    for (String system : comparison.systems()) {
      html.append("<tr><td>")
          .append(comparison.label(system))
          .append("</td><td>")
          .append(escape(system))
          .append("</td>");
      for (Metric metric : comparison.metrics()) {
        String cell = comparison.cell(system, metric, marks -> "<sup>" + marks + "</sup>");
        html.append("<td>")
            .append(comparison.isBest(system, metric) ? "<b>" + cell + "</b>" : cell)
            .append("</td>");
      }
      html.append("</tr>\n");
    }
    html.append("</table>\n<p class=\"note\">")
        .append(escape(comparison.legend()))
        .append("</p>\n<ul id=\"verdicts\">\n");
    comparison.verdicts().forEach(v -> html.append("<li>").append(escape(v)).append("</li>\n"));
    html.append("</ul>\n<h2>Per-query ").append(escape(primary.label())).append("</h2>\n");
    for (ModelResult model : models) {
      html.append("<div class=\"plot delta\">\n")
          .append(ComparisonCharts.deltaBars(comparison, model.name(), primary))
          .append("\n</div>\n");
    }
    html.append("<div class=\"plot distribution\">\n")
        .append(ComparisonCharts.distribution(comparison, primary))
        .append("\n</div>\n");
    html.append("<h2>Cost</h2>\n<p class=\"note\">One job scored every model: ")
        .append(escape(job.line()))
        .append(". ")
        .append(escape(PROBE_NOTE))
        .append("</p>\n<table id=\"cost\">\n<tr><th>model</th><th>requests</th><th>failed</th>")
        .append("<th>pairs scored</th><th>tokens</th><th>tokens/pair</th><th>pairs/s</th>")
        .append("<th>padding waste</th></tr>\n");
    for (ModelResult model : models) {
      ModelCost cost = model.cost();
      html.append(
          String.format(
              Locale.ROOT,
              "<tr><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%.1f</td>"
                  + "<td>%s</td><td>%s</td></tr>\n",
              escape(model.name()),
              cost.requests(),
              cost.failed(),
              cost.pairs(),
              cost.tokens(),
              cost.tokensPerPair(),
              cost.pairsPerSecond(),
              cost.paddingWaste()));
    }
    html.append("</table>\n<h2>Failed requests</h2>\n<p class=\"note\">")
        .append(escape(failureNote()))
        .append("</p>\n<ul id=\"failures\">\n");
    for (ModelResult model : models) {
      for (RerankOutput failure : model.report().failures()) {
        html.append("<li>")
            .append(escape(model.name() + " " + failure.id + ": " + failure.errorType + " "))
            .append(failure.errorStatus)
            .append(' ')
            .append(escape(failure.errorMessage))
            .append("</li>\n");
      }
    }
    html.append("</ul>\n</body>\n</html>\n");
    return html.toString();
  }

  private String failureNote() {
    int failed = models.stream().mapToInt(m -> m.cost().failed()).sum();
    return failed == 0
        ? "No request failed."
        : failed
            + " requests failed; the queries of failed requests are left out of every column of"
            + " the comparison ("
            + comparison.leftOut().size()
            + " queries), so every test stays paired. Each model's own metrics file still covers"
            + " every query it ranked.";
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
