package io.rerankflow.jobs;

import io.rerankflow.eval.Evaluation;
import io.rerankflow.eval.MetricsReport;
import io.rerankflow.eval.PairedSignificance;
import io.rerankflow.eval.ScoredDoc;
import io.rerankflow.eval.TrecRun;
import io.rerankflow.eval.TrecRunWriter;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Evaluation mode: reranks a first-stage run on the same pipeline as the file job and compares both
 * runs on NDCG@10, MRR@10, Recall@100 and MAP with a paired significance test.
 *
 * <p>Writes to {@code --output}: {@code requests.jsonl} (the built requests, BEIR input only),
 * {@code responses/} (the pipeline's output lines: rankings and error records), {@code
 * first-stage.run} (the evaluated candidates), {@code reranked.run}, {@code metrics.json} and
 * {@code metrics.txt}.
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description =
        "Rerank a first-stage run (BEIR directory + TREC run, or NIM requests + candidates) and"
            + " compare first-stage and reranked metrics.")
public final class EvaluateJob implements Callable<Integer> {
  static final String REQUESTS_FILE = "requests.jsonl";
  static final String RESPONSES_DIR = "responses";
  static final String FIRST_STAGE_RUN = "first-stage.run";
  static final String RERANKED_RUN = "reranked.run";
  static final String METRICS_JSON = "metrics.json";
  static final String METRICS_TEXT = "metrics.txt";

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

  @Override
  public Integer call() throws Exception {
    options.validate();
    String model = options.engine.servedModels().names().get(0);
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
                model,
                options.truncate,
                output.resolve(REQUESTS_FILE))
            : RequestCandidates.prepare(options.requests, options.candidates, options.qrels);

    Path responses = output.resolve(RESPONSES_DIR);
    RerankOptions rerank =
        RerankOptions.of(set.requests().toAbsolutePath(), responses, true, options.engine);
    new RerankJob(rerank, console).call();

    List<RerankOutput> outputs = readOutputs(responses);
    EvaluationReport report = evaluate(set, outputs, model, output);
    Files.writeString(output.resolve(METRICS_JSON), report.toJson(), StandardCharsets.UTF_8);
    Files.writeString(output.resolve(METRICS_TEXT), report.toText(), StandardCharsets.UTF_8);
    console.println("Evaluation: " + output);
    console.print(report.toText());
    return 0;
  }

  /**
   * Writes both runs and compares them over the queries whose request was ranked; the others are
   * listed as failures, never dropped silently.
   */
  private EvaluationReport evaluate(
      EvaluationSet set, List<RerankOutput> outputs, String model, Path output) throws IOException {
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
    Map<String, List<ScoredDoc>> firstStage = new LinkedHashMap<>();
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
      firstStage.put(query.getKey(), set.firstStage().ranking(query.getKey()));
    }
    if (reranked.isEmpty()) {
      throw new IllegalArgumentException(
          "no request was ranked ("
              + failures.size()
              + " error records in "
              + RESPONSES_DIR
              + "/)");
    }
    Path rerankedRun = output.resolve(RERANKED_RUN);
    TrecRunWriter.write(rerankedRun, reranked, options.tag);
    TrecRunWriter.write(output.resolve(FIRST_STAGE_RUN), firstStage, "first-stage");

    // Evaluate the files as written, so the report holds for anyone re-reading them.
    Evaluation before =
        Evaluation.evaluate(set.qrels(), TrecRun.read(output.resolve(FIRST_STAGE_RUN)));
    Evaluation after = Evaluation.evaluate(set.qrels(), TrecRun.read(rerankedRun));
    MetricsReport metrics = MetricsReport.compare(before, after, PairedSignificance.defaults());
    return new EvaluationReport(model, outputs.size(), metrics, orderedLike(set, failures));
  }

  /** Failures in request order (the pipeline's output order is not). */
  private static List<RerankOutput> orderedLike(EvaluationSet set, List<RerankOutput> failures) {
    List<String> order = new ArrayList<>(set.docIds().keySet());
    return failures.stream()
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
    for (String name :
        List.of(REQUESTS_FILE, RESPONSES_DIR, FIRST_STAGE_RUN, RERANKED_RUN, METRICS_JSON)) {
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
