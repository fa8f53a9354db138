package io.rerankflow.eval.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rerankflow.cli.CommandLineErrors;
import io.rerankflow.eval.Evaluation;
import io.rerankflow.eval.MetricsReport;
import io.rerankflow.eval.PairedSignificance;
import io.rerankflow.eval.ScoredDoc;
import io.rerankflow.eval.SystemComparison;
import io.rerankflow.eval.TrecRun;
import io.rerankflow.eval.TrecRunWriter;
import io.rerankflow.inference.ModelLocator;
import io.rerankflow.jobs.RerankJob;
import io.rerankflow.jobs.RerankOptions;
import io.rerankflow.jobs.run.JobSummary;
import io.rerankflow.jobs.run.RunState;
import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RerankOutput;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Evaluation mode: reranks a first-stage run with one or more models in one job on the same
 * pipeline as the file job, and compares the first stage and every model on NDCG@10, MRR@10,
 * Recall@100 and MAP (plus {@code --metric}) with paired significance tests between every pair.
 *
 * <p>Writes to {@code --output}: {@code requests.jsonl} (the built requests, BEIR input only),
 * {@code pipeline-requests.jsonl} (those requests once per model), {@code responses/} (the
 * pipeline's output lines), {@code first-stage.run} (the evaluated candidates), and per model
 * {@code reranked-<name>.run}, {@code responses-<name>.jsonl}, {@code metrics-<name>.json} and
 * {@code metrics-<name>.txt}; then {@code comparison.md}, {@code comparison.json}, {@code
 * comparison.tex} and {@code report.html}.
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description =
        "Rerank a first-stage run (BEIR directory + TREC run, or NIM requests + candidates) with"
            + " one or more models and compare the first stage and the models.")
public final class EvaluateJob implements Callable<Integer> {
  static final String REQUESTS_FILE = "requests.jsonl";
  static final String PIPELINE_REQUESTS_FILE = "pipeline-requests.jsonl";
  static final String RESPONSES_DIR = "responses";
  static final String FIRST_STAGE_RUN = "first-stage.run";
  static final String COMPARISON_MARKDOWN = "comparison.md";
  static final String COMPARISON_JSON = "comparison.json";
  static final String COMPARISON_LATEX = "comparison.tex";
  static final String REPORT_HTML = "report.html";

  /** The table's name of the first stage; no model may take it. */
  static final String FIRST_STAGE = "first-stage";

  /** The first stage and nine models take the ten superscript digits. */
  static final int MOST_MODELS = 9;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Mixin private EvaluateOptions options = new EvaluateOptions();

  private final PrintStream console;

  public EvaluateJob() {
    this(System.out);
  }

  public EvaluateJob(PrintStream console) {
    this.console = console;
  }

  public static void main(String[] args) {
    System.exit(command(new EvaluateJob()).execute(args));
  }

  /** The picocli command, printing a bad input's message rather than a stack trace. */
  static CommandLine command(EvaluateJob job) {
    return CommandLineErrors.install(new CommandLine(job));
  }

  static String rerankedRun(String model) {
    return "reranked-" + model + ".run";
  }

  static String responsesFile(String model) {
    return "responses-" + model + ".jsonl";
  }

  static String metricsJson(String model) {
    return "metrics-" + model + ".json";
  }

  static String metricsText(String model) {
    return "metrics-" + model + ".txt";
  }

  @Override
  public Integer call() throws Exception {
    options.validate();
    Map<String, String> locations = modelLocations();
    List<String> models = List.copyOf(locations.keySet());
    Path output = options.output.toAbsolutePath();
    prepareOutput(output);

    EvaluationSet set =
        options.beir != null
            ? BeirRequests.prepare(
                options.beir,
                options.run,
                options.qrelsFile(),
                options.topK,
                options.passageFormat,
                models.get(0),
                options.truncate,
                output.resolve(REQUESTS_FILE))
            : RequestCandidates.prepare(options.requests, options.candidates, options.qrels);
    ModelRequests requests =
        ModelRequests.write(set.requests(), models, output.resolve(PIPELINE_REQUESTS_FILE));

    Path responses = output.resolve(RESPONSES_DIR);
    RerankOptions rerank =
        RerankOptions.of(
            requests.file().toAbsolutePath(),
            responses,
            options.overwrite,
            options.fresh,
            options.checkpointInterval,
            options.engine);
    RerankJob rerankJob = new RerankJob(rerank, console);
    JobSummary job = rerankJob.run(new Configuration());
    if (job == null) {
      throw new IllegalArgumentException(
          "the evaluation reads the job's results when it ends: submit it attached (without -d)");
    }
    if (rerankJob.foundComplete() && Files.exists(output.resolve(REPORT_HTML))) {
      console.println("Evaluation complete: " + output + " (" + REPORT_HTML + "); nothing to do.");
      return 0;
    }

    Map<String, List<RerankOutput>> byModel = splitByModel(readOutputs(responses), requests);
    Map<String, CostProbe.Measurement> probes = probe(locations, requests);
    TrecRunWriter.write(output.resolve(FIRST_STAGE_RUN), firstStageOf(set), FIRST_STAGE);
    // Evaluate the files as written, so the report holds for anyone re-reading them.
    Evaluation firstStage =
        Evaluation.evaluate(
            set.qrels(), TrecRun.read(output.resolve(FIRST_STAGE_RUN)), options.metrics());

    Map<String, Evaluation> systems = new LinkedHashMap<>();
    systems.put(FIRST_STAGE, firstStage);
    List<ModelResult> results = new ArrayList<>();
    for (String model : models) {
      ModelResult result =
          evaluate(set, firstStage, model, byModel.get(model), probes.get(model), output);
      results.add(result);
      systems.put(model, result.evaluation());
    }
    SystemComparison comparison =
        SystemComparison.compare(
            systems, PairedSignificance.defaults(), SystemComparison.DEFAULT_ALPHA);
    ComparisonReport report = new ComparisonReport(comparison, results, job);
    Files.writeString(
        output.resolve(COMPARISON_MARKDOWN), report.toMarkdown(), StandardCharsets.UTF_8);
    Files.writeString(output.resolve(COMPARISON_JSON), report.toJson(), StandardCharsets.UTF_8);
    Files.writeString(
        output.resolve(COMPARISON_LATEX), comparison.toLatex(), StandardCharsets.UTF_8);
    Files.writeString(output.resolve(REPORT_HTML), report.toHtml(), StandardCharsets.UTF_8);
    console.println(
        "Evaluation: " + output + " (" + REPORT_HTML + ", " + COMPARISON_MARKDOWN + ")");
    console.print(report.toText());
    return 0;
  }

  /**
   * The name each {@code --model} value serves under (its {@code name=} or its model's name), which
   * names its requests, its files and its row, mapped to the value; checked here, where they become
   * file names.
   */
  private Map<String, String> modelLocations() {
    options.engine.servedModels();
    Map<String, String> names = new LinkedHashMap<>();
    for (String value : new LinkedHashSet<>(options.engine.models())) {
      String name = ModelLocator.resolve(value).spec().name();
      if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*") || name.equals(FIRST_STAGE)) {
        throw new IllegalArgumentException(
            "--model "
                + value
                + ": the evaluation names files and rows after '"
                + name
                + "'; give it a name of letters, digits, '.', '_' or '-' other than "
                + FIRST_STAGE
                + ", e.g. --model a="
                + value.substring(value.indexOf('=') + 1));
      }
      names.put(name, value);
    }
    if (names.size() > MOST_MODELS) {
      throw new IllegalArgumentException(
          "--model: at most " + MOST_MODELS + " models in one comparison, got " + names.size());
    }
    return names;
  }

  /**
   * Each model's cost probe on its first {@code --cost-sample} requests, one model after another so
   * that none shares the machine with another; empty when the sample is 0.
   */
  private Map<String, CostProbe.Measurement> probe(
      Map<String, String> locations, ModelRequests requests) throws Exception {
    Map<String, CostProbe.Measurement> probes = new LinkedHashMap<>();
    if (options.costSample == 0) {
      return probes;
    }
    Map<String, List<String>> lines = new LinkedHashMap<>();
    locations.keySet().forEach(model -> lines.put(model, new ArrayList<>()));
    for (String line : Files.readAllLines(requests.file(), StandardCharsets.UTF_8)) {
      ModelRequests.ModelQuery query = requestOf(line, requests);
      if (query != null && lines.get(query.model()).size() < options.costSample) {
        lines.get(query.model()).add(line);
      }
    }
    for (Map.Entry<String, String> model : locations.entrySet()) {
      console.println("Measuring the cost of " + model.getKey() + "...");
      probes.put(
          model.getKey(),
          CostProbe.measure(
              model.getValue(),
              lines.get(model.getKey()),
              options.costSample,
              options.engine,
              options.engine.timeout()));
    }
    return probes;
  }

  private static ModelRequests.ModelQuery requestOf(String line, ModelRequests requests) {
    try {
      return requests.byRequestId().get(MAPPER.readTree(line).path("id").asText());
    } catch (IOException e) {
      // Not a request: the pipeline answered it with an error record, nothing to measure.
      return null;
    }
  }

  /** The outputs of each model, with their query ids restored. */
  private static Map<String, List<RerankOutput>> splitByModel(
      List<RerankOutput> outputs, ModelRequests requests) {
    Map<String, List<RerankOutput>> byModel = new LinkedHashMap<>();
    requests
        .byRequestId()
        .values()
        .forEach(query -> byModel.putIfAbsent(query.model(), new ArrayList<>()));
    for (RerankOutput out : outputs) {
      ModelRequests.ModelQuery query = requests.byRequestId().get(out.id);
      if (query == null) {
        // Every request the job read came from the file written for it.
        throw new IllegalStateException("output for unknown request id " + out.id);
      }
      out.id = query.queryId();
      byModel.get(query.model()).add(out);
    }
    return byModel;
  }

  /** The first-stage ranking of every query that has a request. */
  private static Map<String, List<ScoredDoc>> firstStageOf(EvaluationSet set) {
    Map<String, List<ScoredDoc>> firstStage = new LinkedHashMap<>();
    for (String query : set.docIds().keySet()) {
      firstStage.put(query, set.firstStage().ranking(query));
    }
    return firstStage;
  }

  /**
   * Writes a model's responses, run and metrics, comparing it with the first stage over the queries
   * whose request it ranked; the others are listed as failures, never dropped silently.
   */
  private ModelResult evaluate(
      EvaluationSet set,
      Evaluation firstStage,
      String model,
      List<RerankOutput> outputs,
      CostProbe.Measurement probe,
      Path output)
      throws IOException {
    Map<String, RerankOutput> byId = new HashMap<>();
    List<RerankOutput> failures = new ArrayList<>();
    for (RerankOutput out : outputs) {
      if (out.isError()) {
        failures.add(out);
      } else {
        byId.put(out.id, out);
      }
    }
    Map<String, List<ScoredDoc>> reranked = new LinkedHashMap<>();
    List<String> lines = new ArrayList<>();
    for (Map.Entry<String, List<String>> query : set.docIds().entrySet()) {
      RerankOutput out = byId.get(query.getKey());
      if (out == null) {
        continue;
      }
      List<ScoredDoc> ranking = new ArrayList<>(out.indices.length);
      for (int rank = 0; rank < out.indices.length; rank++) {
        ranking.add(new ScoredDoc(query.getValue().get(out.indices[rank]), out.logits[rank]));
      }
      reranked.put(query.getKey(), ranking);
    }
    List<RerankOutput> ordered = orderedLike(set, outputs);
    for (RerankOutput out : ordered) {
      lines.add(OutputJson.toPipelineJson(out));
    }
    Files.write(output.resolve(responsesFile(model)), lines, StandardCharsets.UTF_8);
    if (reranked.isEmpty()) {
      throw new IllegalArgumentException(
          "model "
              + model
              + " ranked no request ("
              + failures.size()
              + " error records in "
              + responsesFile(model)
              + ")");
    }
    Path rerankedRun = output.resolve(rerankedRun(model));
    TrecRunWriter.write(rerankedRun, reranked, options.tag);
    Evaluation after =
        Evaluation.evaluate(set.qrels(), TrecRun.read(rerankedRun), options.metrics());
    MetricsReport metrics =
        MetricsReport.compare(
            firstStage.restrictedTo(after.perQuery().keySet()),
            after,
            PairedSignificance.defaults());
    EvaluationReport report =
        new EvaluationReport(model, outputs.size(), metrics, orderedLike(set, failures));
    Files.writeString(output.resolve(metricsJson(model)), report.toJson(), StandardCharsets.UTF_8);
    Files.writeString(output.resolve(metricsText(model)), report.toText(), StandardCharsets.UTF_8);
    return new ModelResult(model, after, report, ModelCost.of(outputs, probe));
  }

  /** Outputs in request order (the pipeline's output order is not). */
  private static List<RerankOutput> orderedLike(EvaluationSet set, List<RerankOutput> outputs) {
    List<String> order = new ArrayList<>(set.docIds().keySet());
    return outputs.stream()
        .sorted(
            Comparator.comparingInt(
                    (RerankOutput f) -> {
                      int at = order.indexOf(f.id);
                      return at < 0 ? Integer.MAX_VALUE : at;
                    })
                .thenComparing(f -> f.id))
        .toList();
  }

  static List<RerankOutput> readOutputs(Path responses) throws IOException {
    List<RerankOutput> outputs = new ArrayList<>();
    try (Stream<Path> files = Files.list(responses)) {
      for (Path file :
          files
              .filter(f -> f.getFileName().toString().startsWith(RerankJob.OUTPUT_PREFIX))
              .sorted()
              .toList()) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          outputs.add(OutputJson.fromPipelineJson(line));
        }
      }
    }
    return outputs;
  }

  private void prepareOutput(Path output) throws IOException {
    Files.createDirectories(output);
    if (RunState.in(output.resolve(RESPONSES_DIR)).exists()) {
      // The reranking job resumes an interrupted run of the same command, says a completed one is
      // complete, and refuses any other without --overwrite or --fresh.
      return;
    }
    for (String name :
        List.of(REQUESTS_FILE, RESPONSES_DIR, FIRST_STAGE_RUN, COMPARISON_JSON, REPORT_HTML)) {
      if (Files.exists(output.resolve(name)) && !options.overwrite) {
        throw new IllegalArgumentException(
            "--output "
                + output
                + " already holds an evaluation ("
                + name
                + "); pass --overwrite to replace it or choose another directory");
      }
    }
  }
}
